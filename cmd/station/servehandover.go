package main

import "github.com/villagepost/bianmin/terminal"

// LinkedHandovers is the station's book of what it took over, wired to
// the host link as station handover finish wires it: the screen finishes
// items through the same code.
func (c *Counter) LinkedHandovers() *terminal.Handovers {
	hs := c.Folder.Handovers()
	hs.Host, hs.Timeout = c.Link.Host, c.Link.Timeout
	return hs
}
