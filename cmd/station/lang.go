package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/villagepost/bianmin/shopfront"
)

func langFrom(s string) string {
	if strings.HasPrefix(strings.ToLower(s), "en") {
		return "en"
	}
	return "zh"
}

// say picks the Chinese or English text. Chinese is the default: the
// shopkeeper reads Chinese; English is a switch.
func (m *Main) say(zh, en string) string {
	if m.lang == "en" {
		return en
	}
	return zh
}

func (m *Main) printf(zh, en string, args ...any) {
	fmt.Fprintf(m.Stdout, m.say(zh, en), args...)
}

// usageError is a command line that does not make sense.
type usageError struct{ zh, en string }

func (e *usageError) Error() string { return e.en }

func (m *Main) usageErr(zh, en string, args ...any) error {
	return &usageError{fmt.Sprintf(zh, args...), fmt.Sprintf(en, args...)}
}

// missingFlag is a required flag left out: the message names the flag as
// missing, then says what to give.
func (m *Main) missingFlag(flag, zh, en string, args ...any) error {
	return &usageError{"缺少必填选项 --" + flag + "：" + fmt.Sprintf(zh, args...), "missing required flag --" + flag + ": " + fmt.Sprintf(en, args...)}
}

// errHelped says --help was given and the help printed: the command
// ends well without doing anything.
var errHelped = errors.New("help printed")

func refuse(err error, zh, en string, args ...any) error {
	return shopfront.Refuse(err, zh, en, args...)
}

// status prints err as one line and returns the exit status for it.
func (m *Main) status(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errHelped) {
		return exitOK
	}
	var u *usageError
	if errors.As(err, &u) {
		fmt.Fprintln(m.Stderr, m.say(u.zh, u.en))
		fmt.Fprintln(m.Stderr, m.say("输入 station help 查看用法。", "Run station help for usage."))
		return exitUsage
	}
	msg, code := m.explain(err)
	fmt.Fprintln(m.Stderr, msg)
	return code
}
