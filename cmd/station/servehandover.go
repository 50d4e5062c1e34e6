package main

import "github.com/villagepost/bianmin/terminal"

// linkedHandovers is the station's book of what it took over, wired to
// the host link as station handover finish wires it: the screen finishes
// items through the same code.
func (c *counter) linkedHandovers() *terminal.Handovers {
	hs := c.station.handovers()
	hs.Host, hs.Timeout = c.link.Host, c.link.Timeout
	return hs
}
