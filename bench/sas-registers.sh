#!/usr/bin/env bash
# Writes the synthetic registers (IN_DIR/*.parquet, e.g. from `effektrapport synth --out IN_DIR`)
# as SAS data sets OUT_DIR/<stem>.sas7bdat, one per register, streaming (memory is bounded by a
# record batch of about two million values, not by the register; SAS_BATCH_CELLS changes it).
# Usage: bench/sas-registers.sh [options] IN_DIR OUT_DIR
#   --encoding wlatin1|latin1|utf8  text encoding written and declared in the file header
#                                   (default wlatin1 = Windows-1252, as Statistics Denmark's files)
#   --date-format DATE9|YYMMDD10|DDMMYY10|E8601DA10   format of date columns (default DATE9)
#   --compress                      RLE-compressed rows (SASYZCRL); ReadStat then holds the whole
#                                   compressed file in memory until it is written
#   --verify pyreadstat|pandas      read every written file back and compare every value with the
#                                   parquet file (may be given twice)
#   --only STEM                     convert only this register (may be repeated)
#   --datetime-format DATETIME20    format of datetime columns (default DATETIME20)
#   --timestamp UNIX_SECONDS        file creation time (default: $SOURCE_DATE_EPOCH, else now)
# Mapping: integers, booleans and floats -> SAS numerics (8-byte doubles); dates -> SAS dates with
# the date format; datetimes -> SAS datetimes (DATETIME20.); text -> character columns as wide as
# the longest value in bytes, format $w., blank-padded. Null/NaN numbers are SAS missing; null text
# is blank. Column names keep their case (SAS names: <= 32 characters [A-Za-z0-9_]).
# How: bench/sas_registers.py (python3 with pyarrow + numpy) turns record batches into fixed-width
# rows and pipes them to bench/sas_writer.c, a small C program against ReadStat's writer API
# (Debian libreadstat-dev 1.1.8), compiled here with gcc into $SAS_WRITER_DIR (default
# ${CARGO_TARGET_DIR:-target}/sas-registers). ReadStat always declares UTF-8 and stores format
# names without widths; sas_writer sets the header's encoding byte and the formats' width/digits
# afterwards, and gives the last column a blank label so that readers trusting the column-text
# size field (pandas.read_sas) see every name and format. Files are 64-bit, little-endian, page
# size chosen by ReadStat (4 KiB doubled until a row and the column subheaders fit); numerics
# are always 8 bytes (ReadStat writes no short numerics).
# Text that the chosen encoding cannot hold (e.g. Cyrillic in wlatin1) stops the conversion with
# the column and value. The `readstat` CLI (Debian package readstat) is not used: it writes
# sas7bdat only from CSV + JSON metadata, without dates, compression or another encoding.
# Dependencies, installed when missing (apt-get needs root): apt-get install gcc libreadstat-dev;
# pip install pyarrow numpy, and for --verify: pip install pyreadstat pandas.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
positional=0
for a in "$@"; do
  case "$a" in -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | cut -c3-; exit 0 ;; esac
done
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --compress) ;;
    --*) i=$((i + 1)) ;;
    *) positional=$((positional + 1)) ;;
  esac
done
if [ "$positional" -ne 2 ]; then
  echo "usage: bench/sas-registers.sh [options] IN_DIR OUT_DIR   (--help for the options)" >&2
  exit 2
fi

need_apt=()
command -v gcc >/dev/null || need_apt+=(gcc)
[ -f /usr/include/readstat.h ] || need_apt+=(libreadstat-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== apt-get install ${need_apt[*]}" >&2
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >&2
fi
py_need=(pyarrow numpy)
case " $* " in *" --verify "*) py_need+=(pyreadstat pandas) ;; esac
missing=()
for m in "${py_need[@]}"; do python3 -c "import $m" 2>/dev/null || missing+=("$m"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== pip install ${missing[*]}" >&2
  python3 -m pip install -q "${missing[@]}" >&2
fi

dir="${SAS_WRITER_DIR:-${CARGO_TARGET_DIR:-target}/sas-registers}"
mkdir -p "$dir"
writer="$dir/sas_writer"
if [ ! -x "$writer" ] || [ "$here/sas_writer.c" -nt "$writer" ]; then
  gcc -O2 -Wall -Wextra -o "$writer" "$here/sas_writer.c" -lreadstat -lm
fi
exec python3 "$here/sas_registers.py" --writer "$writer" "$@"
