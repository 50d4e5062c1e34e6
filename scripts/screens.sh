#!/bin/sh
# screens.sh redoes the pictures of docs/screens/: the shop's screen at
# 1280×800 (name.png) and at the 800×600 tablet size (tablet-*.png), taken
# by the screen tests in headless Chromium, and the post office staff's
# pages (postoffice-*.png). Needs chromium and fonts-wqy-microhei (test.sh
# installs them). Run from the repository's root: scripts/screens.sh
set -eu
cd "$(dirname "$0")/.."
go test ./cmd/station -run '^TestScreen' -count=1 -update-screens
go test ./staffweb -run '^TestStaffPages$' -count=1 -update-screens
ls -l docs/screens
