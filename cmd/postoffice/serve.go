package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net"
	"path/filepath"

	"github.com/villagepost/bianmin/office"
	"github.com/villagepost/bianmin/postserver"
	"github.com/villagepost/bianmin/staffweb"
)

// runServe serves the station API (docs/postoffice-api.md) until stopped.
func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dir := fs.String("dir", "", "the post office's data folder")
	db := m.dbFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8443", "where to listen; only loopback unless --tls-cert and --tls-key are given")
	cert := fs.String("tls-cert", "", "HTTPS certificate (PEM), to listen beyond this machine")
	key := fs.String("tls-key", "", "HTTPS key (PEM)")
	passFile := fs.String("passphrase-file", "", "file with the key passphrase (else POSTOFFICE_PASSPHRASE, else asked)")
	if _, err := m.flags(fs, args, 0); err != nil {
		return err
	}
	if (*cert == "") != (*key == "") {
		return fail(exitUsage, "--tls-cert 和 --tls-key 要一起给。", "give --tls-cert and --tls-key together.")
	}
	var tlsConfig *tls.Config
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			return fail(exitFailed, "读不了 HTTPS 证书 %s 或密钥 %s：%v", "cannot read the HTTPS certificate %s or key %s: %v", *cert, *key, err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	} else if host, _, err := net.SplitHostPort(*addr); err != nil || !isLoopback(host) {
		return fail(exitUsage, "不用 HTTPS 时只能开在本机（127.0.0.1）上；要让服务站连进来，请用 --tls-cert 和 --tls-key。",
			"without HTTPS the server listens on this machine only (127.0.0.1); give --tls-cert and --tls-key for stations to reach it.")
	}
	// On the bbolt file the server opens the registry for each request,
	// so that the postoffice commands (import from a USB stick,
	// reconcile) can use it between requests; here it is only checked.
	// A PostgreSQL database is shared by every process at once: the
	// server keeps its connections for its whole life.
	r, err := m.openRegistry(ctx, *dir, *db)
	if err != nil {
		return err
	}
	url, _ := m.database(*db)
	if url == "" {
		if err := r.Close(); err != nil {
			return err
		}
		r = nil
	} else {
		defer r.Close()
	}
	signer, err := m.signer(*dir, *passFile)
	if err != nil {
		return err
	}
	v, err := m.verifier(*dir)
	if err != nil {
		return err
	}
	o := &office.Office{Dir: *dir, Signer: signer, Verifier: v, Now: m.Now, Registry: r}
	logger := log.New(m.Stderr, "", log.LstdFlags)
	pages, err := staffweb.New(o, &staffweb.Options{Now: m.Now, Logf: logger.Printf, Secure: tlsConfig != nil})
	if err != nil {
		return err
	}
	srv := postserver.New(o, &postserver.Options{Now: m.Now, Logf: logger.Printf, Pages: pages})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail(exitFailed, "开不了 %s：%v", "cannot listen on %s: %v", *addr, err)
	}
	scheme := "http"
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
		scheme = "https"
	}
	where := filepath.Clean(*dir)
	if url != "" {
		where += m.say("，登记簿在数据库 ", ", the registry in the database ") + redact(url)
	}
	m.printf("邮政支局服务已开在 %s://%s/ 上，数据在 %s；员工网页就在这个地址，用 postoffice staff add 添加的账号登录。按 Ctrl+C 停止。\n",
		"the post office serves on %s://%s/ with the data in %s; the staff pages are at that address, signed in with an account from postoffice staff add. Ctrl+C stops it.\n",
		scheme, ln.Addr(), where)
	if err := srv.Serve(ctx, ln); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	m.printf("已停止。\n", "stopped.\n")
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
