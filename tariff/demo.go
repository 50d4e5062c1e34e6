package tariff

import _ "embed"

// DemoJSON is the demo tariff the demo station loads, signed at run time
// by the demo post office key. Its prices are examples, not China Post's.
//
//go:embed demo-tariff.json
var DemoJSON []byte

// The demo post office's note keys. The private key is public on purpose:
// it signs the demo tariff, and nothing real may ever trust it.
const (
	DemoPostOfficeSignerKey   = "PRIVATE+KEY+demo-postoffice+9c666a86+AcJNhevQKpw7R3lhrDsSbJgAJESXk+z0EQ6tVOvJkOD3"
	DemoPostOfficeVerifierKey = "demo-postoffice+9c666a86+AUWNAkATMsjHjcwpOz9RF1vzVAVaDEPVLIJOuI83ENMh"
)
