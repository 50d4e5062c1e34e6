package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/villagepost/bianmin/internal/peerlimit"
	"github.com/villagepost/bianmin/shopfront"
	"github.com/villagepost/bianmin/terminal"
	"github.com/villagepost/bianmin/web"
)

// serveOptions are what station serve is given.
type serveOptions struct {
	dir, addr, passFile string
	host                hostFlag
	cert, key           string        // HTTPS, needed off loopback
	plainHTTP           bool          // the operator accepts plain HTTP off loopback
	drainEvery          time.Duration // how often the queue is sent
	demo                bool
	postoffice          string      // the post office's address ("" : the one remembered, if any)
	limits              serveLimits // zero: defaultLimits
}

// serveLimits bound what one client can hold of the server.
type serveLimits struct {
	// ReadTimeout is how long a request (headers and body) may take to
	// arrive: a client that sends a byte every few seconds is cut off.
	ReadTimeout time.Duration
	// WriteTimeout is how long an answer may take, the day report's PDF
	// included.
	WriteTimeout time.Duration
	// IdleTimeout is how long a kept-alive connection waits for its
	// next request.
	IdleTimeout time.Duration
	// PerAddr is how many connections one IP address may hold open; a
	// browser opens six at most.
	PerAddr int
}

// defaultLimits are the limits of station serve.
var defaultLimits = serveLimits{ReadTimeout: 30 * time.Second, WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute, PerAddr: 16}

// maxHeaderBytes bounds a request's headers: the screen's requests carry
// a cookie or two.
const maxHeaderBytes = 16 << 10

// runServe serves the shopkeeper's screen. Without --dir it opens (and
// on first use creates) the demo station, with the built-in host
// simulator.
func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := m.flags("serve")
	var o serveOptions
	fs.StringVar(&o.dir, "dir", "", "the station's data folder (default: a demo station in ./demo-station)")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "where to listen; only loopback unless --tls-cert or --allow-plain-http")
	fs.StringVar(&o.passFile, "passphrase-file", "", "file with the key passphrase (else STATION_PASSPHRASE, else asked)")
	fs.StringVar(&o.cert, "tls-cert", "", "HTTPS certificate (PEM), to listen beyond this machine")
	fs.StringVar(&o.key, "tls-key", "", "HTTPS key (PEM)")
	fs.BoolVar(&o.plainHTTP, "allow-plain-http", false, "listen beyond this machine without HTTPS: PINs cross the network readable (you accept the risk)")
	fs.DurationVar(&o.drainEvery, "drain-every", 30*time.Second, "how often what waits for a host is sent")
	fs.StringVar(&o.postoffice, "postoffice", "", "the post office's address, e.g. https://postoffice.example:8443: closed days are sent to it (remembered for next time)")
	o.host.register(fs)
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.checkAddr(o); err != nil {
		return err
	}
	if o.dir == "" {
		o.dir, o.demo = "demo-station", true
		if err := m.ensureDemo(ctx, o.dir); err != nil {
			return err
		}
	}
	d, err := m.openDesk(ctx, o)
	if err != nil {
		return err
	}
	defer d.Close()
	o.demo = d.Demo()
	srv, err := web.New(d, &web.Options{Now: m.Now, Logf: m.logf, Hosts: screenHosts(o)})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return refuse(err, "不能在 %s 上开网页（端口可能被占用）。请换一个 --addr，例如 127.0.0.1:8081。", "cannot listen on %s (the port may be in use). Choose another --addr, e.g. 127.0.0.1:8081.", o.addr)
	}
	scheme := "http"
	if o.cert != "" {
		scheme = "https"
	}
	m.printf("服务站网页已开：请用浏览器打开 %s://%s/\n", "The station's screen is up: open %s://%s/ in a browser.\n", scheme, ln.Addr())
	if o.demo {
		m.printf("这是演示站，密码是公开的：店主 OP1 密码 %s，店员 OP2 密码 %s。不要用它办理真实业务。\n",
			"This is a demo station and its PINs are public: owner OP1 %s, clerk OP2 %s. Never use it for real money.\n", demoOwnerPIN, demoClerkPIN)
	}
	m.printf("按 Ctrl+C 关闭。\n", "Press Ctrl+C to stop.\n")
	return m.serveOn(ctx, d, srv, ln, o)
}

// serveOn serves on ln until ctx ends, sending the queue in the
// background.
func (m *Main) serveOn(ctx context.Context, d *shopfront.Desk, h http.Handler, ln net.Listener, o serveOptions) error {
	lim := o.limits
	if lim == (serveLimits{}) {
		lim = defaultLimits
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: lim.ReadTimeout,
		WriteTimeout: lim.WriteTimeout, IdleTimeout: lim.IdleTimeout, MaxHeaderBytes: maxHeaderBytes}
	if lim.ReadTimeout < hs.ReadHeaderTimeout {
		hs.ReadHeaderTimeout = lim.ReadTimeout
	}
	ln = peerlimit.New(ln, lim.PerAddr)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	shared, serr := d.Counter.ShareFiles(ctx, m.logf)
	if serr != nil {
		fmt.Fprintln(m.Stderr, m.say("注意：网页开着的时候，只读的命令（例如 station ledger export、station report）用不了：",
			"note: while the screen runs, commands that only read (station ledger export, station report, …) cannot work: "), serr)
	}
	defer shared()
	ticker := time.NewTicker(o.drainEvery)
	defer ticker.Stop()
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		d.Drain(ctx, ticker.C, func(dr terminal.Drained, err error) {
			if err != nil {
				fmt.Fprintln(m.Stderr, m.say("发送排队业务时出错：", "sending the queue failed: "), err)
			} else if dr.Settled > 0 {
				m.printf("已发送 %d 笔排队的业务。\n", "sent %d queued item(s).\n", dr.Settled)
			}
		})
	}()
	posted := make(chan struct{})
	go func() {
		defer close(posted)
		if d.Post() == nil {
			return
		}
		d.Post().Run(ctx, func(rep *shopfront.UploadReport, err error) {
			for _, o := range rep.Sent {
				m.printf("营业日 %s 交给邮政：%s\n", "business day %s sent to the post office: %s\n", o.Day, m.say(o.ZH, o.EN))
			}
			if rep.Tariff != "" {
				m.printf("载入了邮政支局发来的新价目表 %s，下一笔业务起按它收费。\n", "loaded the post office's new tariff %s; it prices from the next customer on.\n", rep.Tariff)
			}
			for _, h := range rep.Handovers {
				if len(h.Doc.Items) == 0 {
					m.printf("收下了邮政支局的交接单：服务站 %s 没有留下要接手的事项。\n", "loaded the post office's hand-over document: station %s left nothing to take over.\n", h.Doc.From)
					continue
				}
				m.printf("收下了邮政支局的交接单：接手服务站 %s 没办完的 %d 项（见“承接事项”）。\n", "loaded the post office's hand-over document: %[2]d item(s) station %[1]s left unfinished (see Taken over).\n", h.Doc.From, len(h.Doc.Items))
			}
			if err != nil {
				fmt.Fprintln(m.Stderr, m.say("交日结文件给邮政时出错（会自动再试）：", "sending day files to the post office failed (tried again by itself): "), err)
			}
		})
	}()
	errc := make(chan error, 1)
	go func() {
		if o.cert != "" {
			errc <- hs.ServeTLS(ln, o.cert, o.key)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	cancel()
	sctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	hs.Shutdown(sctx)
	<-drained
	<-posted
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// openDesk opens the station in o.dir for the screen (shopfront.OpenDesk)
// and says what the start found.
func (m *Main) openDesk(ctx context.Context, o serveOptions) (*shopfront.Desk, error) {
	if err := m.needDir(o.dir); err != nil {
		return nil, err
	}
	mm, err := m.paper()
	if err != nil {
		return nil, err
	}
	host := o.host.url
	if host == "" {
		host = m.Getenv("STATION_HOST")
	}
	d, start, err := shopfront.OpenDesk(ctx, o.dir, shopfront.DeskOptions{
		Now: m.Now, Demo: o.demo, HostURL: host, Postoffice: o.postoffice, Paper: m.roll(mm),
		Passphrase: func() ([]byte, error) {
			return m.secret(o.passFile, "STATION_PASSPHRASE", "请输入印章口令：", "station passphrase: ", false)
		},
		Words: m.screenWords, Logf: m.logf,
	})
	m.noteDir(o.dir, err)
	if err != nil {
		return nil, err
	}
	m.reportForgotten(start.Forgotten)
	m.reportRecovered(d.Counter.Ledger.Zone(), start.Recovered)
	return d, nil
}

// screenWords are the command line's words for err, as the screen shows
// them in lang.
func (m *Main) screenWords(err error, lang string) string {
	mm := *m
	mm.lang = langFrom(lang)
	mm.screen = true
	var u *usageError
	if errors.As(err, &u) {
		return mm.say(u.zh, u.en)
	}
	msg, _ := mm.explain(err)
	return msg
}

// logf writes a line to the program's log (standard error).
func (m *Main) logf(format string, args ...any) {
	fmt.Fprintf(m.Stderr, format+"\n", args...)
}

// checkAddr keeps the screen on this machine unless HTTPS is set up or
// the operator accepts plain HTTP on the network.
func (m *Main) checkAddr(o serveOptions) error {
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return m.usageErr("--addr 要写成 地址:端口，例如 127.0.0.1:8080。", "--addr is host:port, e.g. 127.0.0.1:8080.")
	}
	if (o.cert == "") != (o.key == "") {
		return m.usageErr("--tls-cert 和 --tls-key 要一起给。", "give --tls-cert and --tls-key together.")
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	switch {
	case o.cert != "":
		return nil
	case o.plainHTTP:
		fmt.Fprintln(m.Stderr, m.say("警告：网页开在 "+o.addr+" 上且没有 HTTPS，同一网络里的人能看到操作员密码和银行卡号。你已用 --allow-plain-http 接受这个风险。",
			"warning: the screen listens on "+o.addr+" without HTTPS; anyone on the network can read PINs and card numbers. You accepted this with --allow-plain-http."))
		return nil
	}
	return refuse(nil, "网页只开在本机（127.0.0.1）上。要让别的设备访问，请用 --tls-cert 和 --tls-key 开 HTTPS，或加 --allow-plain-http 接受明文风险。",
		"the screen listens on this machine only (127.0.0.1). To reach it from elsewhere give --tls-cert and --tls-key for HTTPS, or accept plain HTTP with --allow-plain-http.")
}

// screenHosts lists the names the screen answers to: the address it
// listens on (with localhost and both loopback addresses for a loopback
// one) and the names in its HTTPS certificate. A request for any other
// name is refused by the web server (DNS rebinding).
func screenHosts(o serveOptions) []string {
	host, _, _ := net.SplitHostPort(o.addr)
	ip := net.ParseIP(host)
	var hosts []string
	switch {
	case host == "":
		hosts = []string{"0.0.0.0"} // every address of this machine
	case host == "localhost" || (ip != nil && ip.IsLoopback()):
		hosts = []string{"localhost", "127.0.0.1", "::1"}
	default:
		hosts = []string{host}
	}
	if o.cert != "" {
		if c, err := tls.LoadX509KeyPair(o.cert, o.key); err == nil && c.Leaf != nil {
			hosts = append(hosts, c.Leaf.DNSNames...)
			for _, a := range c.Leaf.IPAddresses {
				hosts = append(hosts, a.String())
			}
		}
	}
	return hosts
}
