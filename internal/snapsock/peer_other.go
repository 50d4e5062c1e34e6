//go:build !linux

package snapsock

import "net"

// sameUser cannot ask the kernel on this system: the socket's mode (0600)
// and the station folder's (0700) keep other users out.
func sameUser(conn *net.UnixConn) error { return nil }
