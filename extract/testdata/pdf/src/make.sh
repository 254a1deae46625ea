#!/bin/sh
# Regenerates the LibreOffice and Chromium fixtures of extract/testdata/pdf
# from the sources beside this script (Debian 12 packages:
# libreoffice-writer-nogui hyphen-en-us fonts-wqy-microhei chromium
# fonts-droid-fallback). notice-zh-min.pdf is written by pdf_gen_test.go:
#   go test ./extract -run TestPDFHandMadeFixture -update
# Rewrite the goldens afterwards: go test ./extract -run TestPDFGolden -update
set -eu
cd "$(dirname "$0")"
soffice --headless --convert-to pdf --outdir .. bulletin-zh.fodt regulation-en.fodt
# fonts.conf keeps Chromium off the CFF Noto CJK fonts, which it embeds as Type 3.
FONTCONFIG_FILE="$PWD/fonts.conf" chromium --headless --no-sandbox --disable-gpu \
	--print-to-pdf="$PWD/../measures-zh.pdf" "file://$PWD/measures-zh.html"
