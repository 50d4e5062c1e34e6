// Package cjkfont embeds the TrueType font that receipts use to show Chinese,
// so that a PDF renders the same on a fresh machine with no fonts installed.
//
// The font is WenQuanYi Micro Hei (文泉驿微米黑) 0.2.0-beta, face 0 of
// wqy-microhei.ttc from Debian's fonts-wqy-microhei, © 2008–2009 The
// WenQuanYi Project Board of Trustees and others, used under the Apache
// License 2.0 (see LICENSE in this directory). It is cut down by
// scripts/cjkfont.sh to printable ASCII, all of GB2312 and ¥ ￥ · → ×, and
// stored gzipped. docs/fonts.md says why this font and how to regenerate it.
package cjkfont

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
)

// Family is the font family name to register the font under, as in
// pdf.AddUTF8FontFromBytes(cjkfont.Family, "", ttf) and then
// pdf.SetFont(cjkfont.Family, "", size). The font has one style, regular.
const Family = "wqy-microhei"

//go:embed wqy-microhei-gb2312.ttf.gz
var gz []byte

// TTF returns the font as TrueType bytes. It decompresses the embedded copy
// on every call and keeps nothing, so callers that need the font more than
// once should keep the result (about 1.3 MB) rather than call again.
func TTF() ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("cjkfont: %w", err)
	}
	ttf, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("cjkfont: %w", err)
	}
	return ttf, nil
}
