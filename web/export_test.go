package web

// Sessions returns the number of sessions the server keeps in memory,
// for the tests of package web_test.
func (s *Server) Sessions() int { return s.sessions.count() }
