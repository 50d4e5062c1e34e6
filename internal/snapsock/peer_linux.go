package snapsock

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// sameUser reports whether the program at the other end of conn runs as
// this program's user (the kernel says, SO_PEERCRED).
func sameUser(conn *net.UnixConn) error {
	raw, err := conn.SyscallConn()
	if err != nil {
		return err
	}
	var cred *syscall.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if cerr != nil {
		return cerr
	}
	if cred.Uid != uint32(os.Getuid()) {
		return fmt.Errorf("user %d is not this program's user %d", cred.Uid, os.Getuid())
	}
	return nil
}
