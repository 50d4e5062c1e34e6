// Command region builds a region's worth of station data for the post
// office benchmark (bench/region.sh) and measures what that benchmark
// compares against.
//
//	region generate --out DIR [--stations 300] [--days 365] [--entries 50] ...
//	region export --registry FILE --out DIR
//	region ed25519 [--n 200000]
//	region upload --data DIR --url URL[,URL…] --postoffice-key KEY [--drop 0.1] [--dup 0.1]
//	region enrol --data DIR --db URL --tariff FILE --postoffice-key KEY
//
// generate runs every station through a year of business days with the
// real terminal services against an in-process host simulator (hostsim),
// closes each day and writes its signed settlement file exactly as a
// station does (DIR/settlements/T0001-20260101.bms). The hosts' journal
// lines go, per business day, to DIR/journals/host-20260101.jsonl, with a
// few known discrepancies injected (DIR/expected.csv lists them), and to
// DIR/pg/host.csv for the PostgreSQL comparison. DIR/keys.txt holds each
// station's verifier key for enrolment.
//
// export writes what the registry derived from the imported files (the
// stations' traces and accepted days) as CSV for PostgreSQL.
//
// ed25519 measures bare Ed25519 verifications per second on all cores.
//
// upload sends every station's day files to postoffice serve at once, with
// connections cut and files sent twice, and checks every day was
// acknowledged exactly once (bench/postload.sh). Given several servers'
// addresses (sharing one database), it spreads the stations over them
// (bench/province.sh).
//
// enrol enrols every station of a generated region in a registry in
// PostgreSQL, in one process (bench/province.sh).
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "generate":
		err = runGenerate(os.Args[2:])
	case "export":
		err = runExport(os.Args[2:])
	case "ed25519":
		err = runEd25519(os.Args[2:])
	case "upload":
		err = runUpload(os.Args[2:])
	case "enrol":
		err = runEnrol(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "region:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: region generate|export|ed25519|upload|enrol [flags] (see the doc comment in bench/region/main.go)")
	os.Exit(2)
}
