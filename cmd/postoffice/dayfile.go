package main

import (
	"context"
	"flag"
	"os"
	"time"

	"github.com/villagepost/bianmin/office"
)

// runDayFile writes out an accepted day file as the station sent it,
// from the registry: on a shared database, whichever server accepted it.
func (m *Main) runDayFile(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dayfile", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	station := fs.String("station", "", "the station, e.g. T0001")
	day := fs.String("day", "", "the business day, e.g. 2026-11-20")
	out := fs.String("out", "", "the file to write, e.g. T0001-20261120.bms")
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	switch {
	case *station == "":
		return missingFlag("station", "请用 --station 给出服务站。", "give the station with --station.")
	case *day == "":
		return missingFlag("day", "请用 --day 给出营业日，例如 2026-11-20。", "give the business day with --day, e.g. 2026-11-20.")
	case *out == "":
		return missingFlag("out", "请用 --out 给出要写的文件，例如 T0001-20261120.bms。", "give the file to write with --out, e.g. T0001-20261120.bms.")
	}
	if t, err := time.Parse(time.DateOnly, *day); err != nil || t.Format(time.DateOnly) != *day {
		return fail(exitUsage, "--day 要写成 2026-11-20 这样的日期。", "--day: want a date like 2026-11-20.")
	}
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	o := &office.Office{Dir: *dir, Registry: r, Now: m.Now}
	file, err := o.DayFile(ctx, *station, *day)
	if err != nil {
		return m.registryErr(err)
	}
	if err := os.WriteFile(*out, file, 0o644); err != nil {
		return fail(exitFailed, "写不了 %s。", "cannot write %s.", *out)
	}
	m.printf("已把服务站 %s 营业日 %s 的日结文件（%d 字节，和服务站交来的一字不差）写到 %s。\n",
		"Wrote the day file of station %s day %s (%d bytes, exactly as the station sent it) to %s.\n", *station, *day, len(file), *out)
	return nil
}
