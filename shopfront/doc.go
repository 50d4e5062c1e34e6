// Package shopfront assembles a station from its data folder: it opens and
// checks the ledger and operator list (Folder), unlocks the key, links
// the counter to the bank, billers and carriers and settles what an
// earlier run left pending (Counter), links the post office (PostLink),
// and serves the shop's screen from all of it (Desk, which implements
// web.Station).
//
// The command line (cmd/station), the screen and the tests share it:
// cmd/station parses flags, reads secrets and prints; every step of
// opening a station is here. What the package refuses is a *Refusal,
// worded for the shopkeeper in Chinese and English.
package shopfront
