// Package boltcheck checks the structure of a bbolt file on its raw bytes,
// before bbolt reads it.
//
// bbolt trusts its pages: a damaged element position or size in a page
// makes it hand out a slice that points past its memory map, and the Go
// garbage collector then stops the whole program with "found bad pointer
// in Go heap", which no recover can catch. A damaged free-list length makes
// it allocate gigabytes, and a page that points back at itself makes it
// recurse until the stack runs out. The station's files are on a disk
// anyone in the shop can reach, so each is checked here first, and a
// damaged file is refused with a message instead of a crash.
//
// The check follows the file the way bbolt reads it: the meta page bbolt
// will use (the valid one with the higher transaction), the free list, and
// every page of the tree from the root bucket down, buckets kept inline in
// their parent's page included. It reads each page once; it does not check
// keys' order or values' meaning, which bbolt's own check and the program
// do.
package boltcheck

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
)

// The on-disk layout of bbolt (go.etcd.io/bbolt/internal/common), little
// endian on the machines the station runs on.
const (
	pageHeader = 16 // id u64, flags u16, count u16, overflow u32
	elemSize   = 16 // leaf: flags u32, pos u32, ksize u32, vsize u32; branch: pos u32, ksize u32, pgid u64
	bucketHead = 16 // root u64, sequence u64
	metaSize   = 64 // magic, version, page size, flags, root bucket, freelist, pgid, txid, checksum

	flagBranch   = 0x01
	flagLeaf     = 0x02
	flagMeta     = 0x04
	flagFreelist = 0x10
	leafBucket   = 0x01

	magic   = 0xED0CDAED
	version = 2
	noPage  = ^uint64(0) // a meta's free list when the list is not kept in the file
)

// Freelist checks, before bbolt opens the file, that the free list of
// either meta page does not claim more pages than the file has: bbolt
// allocates as many page numbers as the list's header says, on open.
// Both meta pages are looked at, since bbolt falls back to the other when
// one is damaged. A file not there yet, too short or too damaged for bbolt
// to open at all passes: bbolt creates or refuses it itself.
func Freelist(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	head := make([]byte, pageHeader+metaSize)
	if _, err := f.ReadAt(head, 0); err != nil {
		return nil
	}
	pageSize := int64(binary.LittleEndian.Uint32(head[pageHeader+8:]))
	if pageSize < 512 || pageSize > 1<<20 {
		pageSize = 4096
	}
	for m := int64(0); m < 2; m++ {
		meta := make([]byte, pageHeader+metaSize)
		if _, err := f.ReadAt(meta, m*pageSize); err != nil || binary.LittleEndian.Uint32(meta[pageHeader:]) != magic {
			continue
		}
		freelist := binary.LittleEndian.Uint64(meta[pageHeader+32:])
		hwm := binary.LittleEndian.Uint64(meta[pageHeader+40:])
		if freelist == noPage || freelist >= hwm || int64(hwm)*pageSize > fi.Size() {
			continue // no free list, or a meta page bbolt will refuse itself
		}
		ph := make([]byte, pageHeader+8)
		if _, err := f.ReadAt(ph, int64(freelist)*pageSize); err != nil {
			return fmt.Errorf("free list page %d cannot be read", freelist)
		}
		n := uint64(binary.LittleEndian.Uint16(ph[10:]))
		if n == 0xFFFF {
			n = binary.LittleEndian.Uint64(ph[16:])
		}
		if n > hwm {
			return fmt.Errorf("the free list claims %d free pages in a file of %d", n, hwm)
		}
	}
	return nil
}

// Tree checks every page bbolt can reach from the meta page it uses in the
// file at path, whose page size is pageSize (bbolt's DB.Info). Call it
// with the file open in bbolt, so that no other program writes it
// meanwhile, and before any transaction reads from it.
func Tree(path string, pageSize int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if pageSize < 512 || pageSize > 1<<20 {
		return fmt.Errorf("page size %d", pageSize)
	}
	c := &checker{f: f, size: fi.Size(), ps: int64(pageSize), seen: map[uint64]bool{}}
	meta, err := c.meta()
	if err != nil {
		return err
	}
	c.hwm = binary.LittleEndian.Uint64(meta[40:])
	if int64(c.hwm) > c.size/c.ps {
		return fmt.Errorf("the meta page says the file has %d pages; it has %d", c.hwm, c.size/c.ps)
	}
	if fl := binary.LittleEndian.Uint64(meta[32:]); fl != noPage {
		if err := c.freelist(fl); err != nil {
			return err
		}
	}
	return c.bucket(meta[16:32], "root")
}

type checker struct {
	f    io.ReaderAt
	size int64 // bytes in the file
	ps   int64 // page size
	hwm  uint64
	seen map[uint64]bool
}

// meta returns the 64 bytes of the meta page bbolt uses: the valid one
// with the higher transaction id, else the other valid one.
func (c *checker) meta() ([]byte, error) {
	var metas [2][]byte
	for i := range metas {
		b := make([]byte, pageHeader+metaSize)
		if _, err := c.f.ReadAt(b, int64(i)*c.ps); err != nil {
			return nil, fmt.Errorf("meta page %d: %w", i, err)
		}
		metas[i] = b[pageHeader:]
	}
	txid := func(m []byte) uint64 { return binary.LittleEndian.Uint64(m[48:]) }
	a, b := metas[0], metas[1]
	if txid(b) > txid(a) {
		a, b = b, a
	}
	for _, m := range [][]byte{a, b} {
		if validMeta(m) {
			return m, nil
		}
	}
	return nil, fmt.Errorf("neither meta page is valid")
}

func validMeta(m []byte) bool {
	h := fnv.New64a()
	h.Write(m[:56])
	return binary.LittleEndian.Uint32(m) == magic && binary.LittleEndian.Uint32(m[4:]) == version &&
		binary.LittleEndian.Uint64(m[56:]) == h.Sum64()
}

// page reads page id with its overflow pages, checking that it lies
// inside the file, that bbolt reaches it once only, and that its header
// carries its own id and the expected kind.
func (c *checker) page(id uint64, flags uint16, what string) ([]byte, error) {
	if id < 2 || id >= c.hwm {
		return nil, fmt.Errorf("%s: page %d is outside the file's %d pages", what, id, c.hwm)
	}
	if c.seen[id] {
		return nil, fmt.Errorf("%s: page %d is reached twice", what, id)
	}
	c.seen[id] = true
	head := make([]byte, pageHeader)
	if _, err := c.f.ReadAt(head, int64(id)*c.ps); err != nil {
		return nil, fmt.Errorf("%s: page %d: %w", what, id, err)
	}
	if got := binary.LittleEndian.Uint64(head); got != id {
		return nil, fmt.Errorf("%s: page %d carries the id %d", what, id, got)
	}
	if got := binary.LittleEndian.Uint16(head[8:]); got&flags == 0 {
		return nil, fmt.Errorf("%s: page %d has kind %#x", what, id, got)
	}
	overflow := uint64(binary.LittleEndian.Uint32(head[12:]))
	if id+overflow >= c.hwm {
		return nil, fmt.Errorf("%s: page %d runs %d pages past the file's %d", what, id, overflow, c.hwm)
	}
	for o := id + 1; o <= id+overflow; o++ {
		if c.seen[o] {
			return nil, fmt.Errorf("%s: page %d overlaps page %d", what, id, o)
		}
		c.seen[o] = true
	}
	p := make([]byte, int64(overflow+1)*c.ps)
	if _, err := c.f.ReadAt(p, int64(id)*c.ps); err != nil {
		return nil, fmt.Errorf("%s: page %d: %w", what, id, err)
	}
	return p, nil
}

func (c *checker) freelist(id uint64) error {
	p, err := c.page(id, flagFreelist, "free list")
	if err != nil {
		return err
	}
	n, at := uint64(binary.LittleEndian.Uint16(p[10:])), uint64(pageHeader)
	if n == 0xFFFF {
		n, at = binary.LittleEndian.Uint64(p[pageHeader:]), pageHeader+8
	}
	if n > c.hwm || at+n*8 > uint64(len(p)) {
		return fmt.Errorf("free list: %d ids do not fit its page", n)
	}
	return nil
}

// bucket checks a bucket's 16-byte header (a value in its parent's leaf)
// and, below it, its tree: the page it names, or the page kept inline
// right after the header when it names none.
func (c *checker) bucket(head []byte, name string) error {
	if len(head) < bucketHead {
		return fmt.Errorf("bucket %q: its header is %d bytes", name, len(head))
	}
	root := binary.LittleEndian.Uint64(head)
	if root != 0 {
		return c.node(root, "bucket "+fmt.Sprintf("%q", name))
	}
	inline := head[bucketHead:]
	if len(inline) < pageHeader {
		return fmt.Errorf("bucket %q: its inline page is %d bytes", name, len(inline))
	}
	if binary.LittleEndian.Uint16(inline[8:]) != flagLeaf {
		return fmt.Errorf("bucket %q: its inline page is not a leaf", name)
	}
	return c.elements(inline, fmt.Sprintf("bucket %q inline", name))
}

// node checks a branch or leaf page and everything below it.
func (c *checker) node(id uint64, what string) error {
	p, err := c.page(id, flagBranch|flagLeaf, what)
	if err != nil {
		return err
	}
	return c.elements(p, fmt.Sprintf("%s page %d", what, id))
}

// elements checks that every element of page p (a page read from the file
// or an inline bucket's bytes) and its key and value lie inside p, and
// follows branches and sub-buckets down.
func (c *checker) elements(p []byte, what string) error {
	flags := binary.LittleEndian.Uint16(p[8:])
	n := int(binary.LittleEndian.Uint16(p[10:]))
	if flags != flagBranch && flags != flagLeaf {
		return fmt.Errorf("%s: kind %#x where a branch or leaf belongs", what, flags)
	}
	if pageHeader+n*elemSize > len(p) {
		return fmt.Errorf("%s: %d elements do not fit", what, n)
	}
	for i := range n {
		at := pageHeader + i*elemSize
		e := p[at : at+elemSize]
		if flags == flagBranch {
			pos, ksize := uint64(binary.LittleEndian.Uint32(e)), uint64(binary.LittleEndian.Uint32(e[4:]))
			if uint64(at)+pos+ksize > uint64(len(p)) {
				return fmt.Errorf("%s: key %d lies outside the page", what, i)
			}
			if err := c.node(binary.LittleEndian.Uint64(e[8:]), what); err != nil {
				return err
			}
			continue
		}
		eflags := binary.LittleEndian.Uint32(e)
		pos, ksize, vsize := uint64(binary.LittleEndian.Uint32(e[4:])), uint64(binary.LittleEndian.Uint32(e[8:])), uint64(binary.LittleEndian.Uint32(e[12:]))
		end := uint64(at) + pos + ksize + vsize
		if end > uint64(len(p)) {
			return fmt.Errorf("%s: element %d lies outside the page", what, i)
		}
		if eflags&leafBucket != 0 {
			kv := p[uint64(at)+pos : end]
			if err := c.bucket(kv[ksize:], string(kv[:ksize])); err != nil {
				return err
			}
		}
	}
	return nil
}
