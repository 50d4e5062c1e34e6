package main

import (
	"context"
	"flag"
	"slices"
	"strings"

	"github.com/villagepost/bianmin/registry"
)

// runTariffIssue gives stations a tariff signed before (tariff sign): the
// one the station API serves them from then on. A station online loads
// it by itself on the first day it is valid; a station offline gets the
// signed file on a USB stick as before.
func (m *Main) runTariffIssue(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("tariff issue", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	stations := fs.String("station", "", "the stations to give it, e.g. T0001 or T0001,T0002")
	all := fs.Bool("all", false, "give it to every active station")
	rest, err := m.flags(fs, args, 1)
	if err != nil {
		return err
	}
	version := rest[0]
	if (*stations == "") == !*all {
		return fail(exitUsage, "请用 --station 说明给哪些服务站（例如 --station T0001,T0002），或用 --all 给所有在营业的服务站，二者选一。",
			"say which stations get it with --station (e.g. --station T0001,T0002), or --all for every active station; one of the two.")
	}
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	defer r.Close()
	issued, err := r.Tariffs(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(issued, version) {
		return fail(exitFailed, "价目表 %s 还没有签发：请先用 postoffice tariff sign --dir %s 文件 签发它。什么都没有改动。",
			"tariff %s was never signed here: sign it first with postoffice tariff sign --dir %s FILE. Nothing was changed.", version, *dir)
	}
	var ids []string
	if *all {
		list, err := r.Stations(ctx)
		if err != nil {
			return err
		}
		for _, s := range list {
			if s.Status == registry.Active {
				ids = append(ids, s.ID)
			}
		}
	} else {
		ids = strings.Split(*stations, ",")
	}
	// Every station is checked before any is changed: a mistyped id
	// changes nothing.
	for _, id := range ids {
		s, err := r.Station(ctx, strings.TrimSpace(id))
		if err != nil {
			return m.registryErr(err)
		}
		if s.Status == registry.Retired {
			return fail(exitFailed, "服务站 %s 已经退出，不再给它价目表。什么都没有改动。", "station %s has retired and gets no tariff. Nothing was changed.", s.ID)
		}
	}
	for _, id := range ids {
		if _, err := r.IssueTo(ctx, strings.TrimSpace(id), version); err != nil {
			return m.registryErr(err)
		}
	}
	m.printf("价目表 %s 已发给 %d 个服务站：%s。联网的服务站在它生效那天自己载入；不联网的请把签过的文件用 U 盘带去。\n",
		"Tariff %s issued to %d station(s): %s. Stations online load it by themselves on the day it becomes valid; take the signed file to those offline on a USB stick.\n",
		version, len(ids), strings.Join(ids, ", "))
	return nil
}
