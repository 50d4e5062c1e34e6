package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/villagepost/bianmin/shopfront"
)

// manifestFile describes a backup: the station, the ledger's last entry,
// and every file with its size and SHA-256.
const manifestFile = "manifest.json"

type manifest struct {
	Format  string         `json:"format"` // "bianmin-station-backup-v1"
	Station string         `json:"station"`
	Made    string         `json:"made"` // RFC 3339, UTC
	Last    uint64         `json:"last_seq"`
	Hash    string         `json:"last_hash"`
	Files   []manifestLine `json:"files"`
}

type manifestLine struct {
	Path   string `json:"path"` // slash-separated, inside the station folder
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

const backupFormat = "bianmin-station-backup-v1"

// backupFiles are what a backup copies besides the ledger: the key file
// (encrypted), the operators, the tariff, the post office's
// acknowledgements and the day files. The pending store is left out on
// purpose: the next start rebuilds it from the ledger's intents.
var backupFiles = []string{shopfront.KeyFile, shopfront.OperatorsFile, shopfront.TariffFile, shopfront.AcksDir, shopfront.SettlementsDir}

// runBackup copies the station to a folder (a USB stick): a consistent
// copy of the ledger, the other files, and a manifest with checksums.
func (m *Main) runBackup(ctx context.Context, args []string) error {
	flags := m.flags("backup")
	dir := flags.String("dir", "", "the station's data folder")
	to := flags.String("to", "", "the folder to write the backup into, e.g. the USB stick")
	if err := m.parse(flags, args); err != nil {
		return err
	}
	if *to == "" {
		return m.usageErr("请用 --to 给出备份要放的文件夹（例如U盘）。", "give the folder for the backup with --to (e.g. the USB stick).")
	}
	st, err := m.openForView(ctx, *dir, true)
	if err != nil {
		return err
	}
	defer st.Close()
	g := st.Ledger.Genesis()
	last := st.Ledger.Last()
	name := fmt.Sprintf("%s-backup-%s-%06d", g.Terminal, m.Now().UTC().Format("20060102-150405"), last.Seq)
	dest := filepath.Join(*to, name)
	tmp := dest + ".partial"
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return refuse(err, "在 %s 建不了备份文件夹。请检查U盘是否插好、有没有空间。", "cannot create the backup folder in %s. Check the USB stick and its free space.", *to)
	}
	man := manifest{Format: backupFormat, Station: g.Terminal, Made: m.Now().UTC().Format("2006-01-02T15:04:05Z"),
		Last: last.Seq, Hash: hex.EncodeToString(last.Hash[:])}
	var buf bytes.Buffer
	if _, err := st.Ledger.WriteBackup(&buf); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := m.backupWrite(tmp, shopfront.LedgerFile, buf.Bytes(), &man); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	for _, top := range backupFiles {
		if top == shopfront.OperatorsFile && st.IsCopy() {
			// station serve holds the file: its copy is consistent.
			data, err := os.ReadFile(st.DBPath(shopfront.OperatorsFile))
			if err == nil {
				err = m.backupWrite(tmp, shopfront.OperatorsFile, data, &man)
			}
			if err != nil {
				os.RemoveAll(tmp)
				return refuse(err, "备份没有做成：复制 %s 时出错。请检查U盘后再试。", "the backup failed while copying %s. Check the USB stick and try again.", top)
			}
			continue
		}
		err := filepath.WalkDir(st.Path(top), func(path string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && path == st.Path(top) {
				return nil
			}
			if err != nil || d.IsDir() || strings.HasSuffix(path, ".tmp") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(st.Dir, path)
			if err != nil {
				return err
			}
			return m.backupWrite(tmp, filepath.ToSlash(rel), data, &man)
		})
		if err != nil {
			os.RemoveAll(tmp)
			return refuse(err, "备份没有做成：复制 %s 时出错。请检查U盘后再试。", "the backup failed while copying %s. Check the USB stick and try again.", top)
		}
	}
	data, _ := json.MarshalIndent(man, "", "  ")
	if err := shopfront.WriteWhole(filepath.Join(tmp, manifestFile), append(data, '\n')); err != nil {
		os.RemoveAll(tmp)
		return refuse(err, "备份没有做成：写不了清单。", "the backup failed: cannot write its manifest.")
	}
	if err := os.Rename(tmp, dest); err != nil {
		os.RemoveAll(tmp)
		return refuse(err, "备份没有做成。", "the backup failed.")
	}
	m.printf("已备份到 %s：账本到第 %d 笔，共 %d 个文件。请把U盘收好，不要和本机放在一起。\n",
		"backed up to %s: the ledger through entry %d, %d files. Keep the USB stick away from this machine.\n", dest, last.Seq, len(man.Files))
	return nil
}

func (m *Main) backupWrite(root, rel string, data []byte, man *manifest) error {
	path := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if err := shopfront.WriteWhole(path, data); err != nil {
		return refuse(err, "备份没有做成：写不了 %s。请检查U盘是否有空间。", "the backup failed: cannot write %s. Check the USB stick's free space.", path)
	}
	sum := sha256.Sum256(data)
	man.Files = append(man.Files, manifestLine{Path: rel, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])})
	return nil
}

// runRestore makes a station folder from a backup: it refuses to overwrite
// a station, checks every file against the manifest, verifies the whole
// ledger, and checks it against every acknowledgement of the post office
// it is given (those in the backup and, with --acks, newer ones): a
// ledger behind or beside what the post office acknowledged is refused.
func (m *Main) runRestore(ctx context.Context, args []string) error {
	flags := m.flags("restore")
	from := flags.String("from", "", "the backup folder (made by station backup)")
	dir := flags.String("dir", "", "the station's data folder to make")
	acks := flags.String("acks", "", "a folder of acknowledgement files from the post office, newer than the backup")
	if err := m.parse(flags, args); err != nil {
		return err
	}
	if *from == "" {
		return m.usageErr("请用 --from 给出备份文件夹。", "give the backup folder with --from.")
	}
	if err := m.needDir(*dir); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(*dir, shopfront.LedgerFile)); err == nil {
		return refuse(nil, "%s 里已经有服务站的账本，没有覆盖它，什么都没有改动。要恢复，请换一个新的文件夹，或先把这个文件夹移走（不要删除）。",
			"%s already holds a station's ledger; it was not overwritten and nothing was changed. Restore into a new folder, or move this one aside (do not delete it).", *dir)
	}
	raw, err := os.ReadFile(filepath.Join(*from, manifestFile))
	var man manifest
	if err == nil {
		err = json.Unmarshal(raw, &man)
	}
	if err != nil || man.Format != backupFormat {
		return refuse(nil, "%s 不是服务站的备份（没有可读的清单 %s）。请检查路径。", "%s is not a station backup (no readable %s). Check the path.", *from, manifestFile)
	}
	tmp := strings.TrimRight(*dir, string(filepath.Separator)) + ".restoring"
	os.RemoveAll(tmp)
	fail := func(err error) error { os.RemoveAll(tmp); return err }
	for _, f := range man.Files {
		rel := filepath.FromSlash(f.Path)
		if !filepath.IsLocal(rel) {
			return fail(refuse(nil, "备份清单不对（%s），没有恢复。", "the backup's manifest is wrong (%s); nothing was restored.", f.Path))
		}
		data, err := os.ReadFile(filepath.Join(*from, rel))
		sum := sha256.Sum256(data)
		if err != nil || int64(len(data)) != f.Size || hex.EncodeToString(sum[:]) != f.SHA256 {
			return fail(refuse(nil, "备份里的文件 %s 坏了或被改过，没有恢复。请用另一份备份，或联系邮政支局。",
				"the backup's file %s is damaged or was changed; nothing was restored. Use another backup, or call the post office.", f.Path))
		}
		path := filepath.Join(tmp, rel)
		err = os.MkdirAll(filepath.Dir(path), 0o700)
		if err == nil {
			err = shopfront.WriteWhole(path, data)
		}
		if err != nil {
			return fail(refuse(err, "写不了 %s，没有恢复。", "cannot write %s; nothing was restored.", path))
		}
	}
	st, err := m.openStation(tmp, false)
	if err != nil {
		return fail(err)
	}
	r, err := st.Ledger.VerifyAll()
	if err == nil {
		err = st.CheckAcks()
	}
	if err == nil && *acks != "" {
		err = st.CheckNewerAcks(*acks)
	}
	g := st.Ledger.Genesis()
	st.Close()
	if err != nil {
		return fail(err)
	}
	if g.Terminal != man.Station || r.To.Seq != man.Last || hex.EncodeToString(r.To.Hash[:]) != man.Hash {
		return fail(refuse(nil, "备份清单和账本对不上，没有恢复。请用另一份备份，或联系邮政支局。", "the backup's manifest does not match its ledger; nothing was restored. Use another backup, or call the post office."))
	}
	if err := os.MkdirAll(filepath.Dir(*dir), 0o700); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, *dir); err != nil {
		return fail(refuse(err, "%s 已经存在，没有恢复。请换一个新的文件夹。", "%s exists; nothing was restored. Use a new folder.", *dir))
	}
	m.printf("已恢复服务站 %s 到 %s：账本 %d 笔全部核验通过，与邮政支局的确认相符。下次启动时会自动处理没办完的业务。\n",
		"restored station %s into %s: all %d entries verified and agree with the post office's acknowledgements. Unfinished requests are handled at the next start.\n",
		g.Terminal, *dir, r.To.Seq)
	return nil
}
