"""Converts register parquet files to SAS7BDAT, streaming (driven by bench/sas-registers.sh).

For each IN_DIR/*.parquet: one pass over the text columns finds each column's width (the
longest value in the target encoding) and checks that every value can be encoded; a second
pass turns record batches into fixed-width binary rows (numpy, no Python object per value)
and pipes them to the compiled ReadStat writer (bench/sas_writer.c), which writes
OUT_DIR/<stem>.sas7bdat. Memory is bounded by one record batch, not by the file.

Column mapping: integers, booleans and floats -> SAS numeric (8-byte double; integers beyond
2^53 are refused); dates -> SAS numeric dates (days since 1960-01-01) with a date format
(default DATE9.); datetimes -> SAS datetimes (seconds since 1960) with DATETIME20.; text
(and dictionary/categorical text) -> SAS character columns as wide as the longest value
(at least 1, at most 32767 bytes) with format $w., blank-padded as SAS does. A null or empty
text is a blank value (SAS has no missing text distinct from blank); a null or NaN number is
SAS missing ".". Trailing blanks of text values are not significant in SAS and do not survive.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ENCODINGS = {
    # name: (Python codec, SAS encoding code in the file header, one byte per character)
    "wlatin1": ("cp1252", 62, True),  # SAS WLATIN1 = Windows-1252 (Statistics Denmark)
    "latin1": ("latin-1", 29, True),  # SAS LATIN1 = ISO-8859-1
    "utf8": ("utf-8", 20, False),  # SAS UTF-8 (ReadStat's own default)
}
SAS_EPOCH_DAYS = (dt.date(1970, 1, 1) - dt.date(1960, 1, 1)).days  # 3653
SAS_EPOCH_SECONDS = SAS_EPOCH_DAYS * 86400
MAX_EXACT = 2.0**53
BATCH_BYTES = 32 << 20  # rows handed to the writer at a time
BATCH_CELLS = int(os.environ.get("SAS_BATCH_CELLS", 2_000_000))  # bounds parquet decoding memory
MAX_BATCH_ROWS = 65536


def batch_rows(ncols: int, row_len: int = 0) -> int:
    rows = min(MAX_BATCH_ROWS, BATCH_CELLS // max(1, ncols))
    if row_len:
        rows = min(rows, BATCH_BYTES // row_len)
    return max(64, rows)


def parse_format(spec: str) -> tuple[str, int, int]:
    """'DATE9' / 'DATE9.' / 'YYMMDD10.' / 'E8601DA10.' -> (name, width, digits)."""
    m = re.fullmatch(r"(E8601DA|B8601DA|E8601DT|B8601DT|\$?[A-Za-z_]+)(\d*)\.?(\d*)", spec.strip())
    if not m:
        raise SystemExit(f"cannot parse SAS format {spec!r}")
    return m.group(1).upper(), int(m.group(2) or 0), int(m.group(3) or 0)


def plain(t: pa.DataType) -> pa.DataType:
    return t.value_type if pa.types.is_dictionary(t) else t


def is_text(t: pa.DataType) -> bool:
    t = plain(t)
    view = getattr(pa.types, "is_string_view", lambda _: False)
    return pa.types.is_string(t) or pa.types.is_large_string(t) or view(t)


def as_string(col: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    if not pa.types.is_string(col.type):
        col = col.cast(pa.string())
    return col


def all_ascii(col: pa.Array) -> bool:
    if col.null_count == len(col):
        return True
    return bool(pc.all(pc.string_is_ascii(col)).as_py())


class Column:
    def __init__(self, field: pa.Field, date_fmt, datetime_fmt):
        self.name = field.name
        self.type = field.type
        t = plain(field.type)
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,31}", self.name):
            raise SystemExit(f"column name {self.name!r} is not a valid SAS name (max 32 chars)")
        self.text = is_text(t)
        self.width = 8
        self.format = ("", 0, 0)
        if self.text:
            self.kind = "text"
        elif pa.types.is_date(t):
            self.kind, self.format = "date", date_fmt
        elif pa.types.is_timestamp(t):
            self.kind, self.format = "datetime", datetime_fmt
        elif pa.types.is_integer(t) or pa.types.is_boolean(t):
            self.kind = "int"
        elif pa.types.is_floating(t) or pa.types.is_decimal(t):
            self.kind = "float"
        elif pa.types.is_null(t):
            self.kind = "null"
        else:
            raise SystemExit(f"column {self.name}: type {field.type} has no SAS mapping here")

    def meta_line(self) -> str:
        kind = "S" if self.text else "N"
        name, w, d = self.format
        return f"{self.name}\t{kind}\t{self.width}\t{name}\t{w}\t{d}\n"


def numeric_values(col: pa.Array, c: Column) -> np.ndarray:
    """The SAS numeric value of each row (float64, NaN = missing)."""
    if c.kind == "null":
        return np.full(len(col), np.nan)
    if c.kind == "date":
        if pa.types.is_date64(plain(col.type)):
            col = pc.cast(col, pa.date32())
        days = pc.cast(col, pa.int32()).to_numpy(zero_copy_only=False).astype(np.float64)
        return days + SAS_EPOCH_DAYS
    if c.kind == "datetime":
        unit = {"s": 1, "ms": 1e3, "us": 1e6, "ns": 1e9}[plain(col.type).unit]
        raw = pc.cast(col, pa.int64()).to_numpy(zero_copy_only=False).astype(np.float64)
        return raw / unit + SAS_EPOCH_SECONDS
    if c.kind == "int":
        if pa.types.is_boolean(col.type):
            col = pc.cast(col, pa.int8())
        if col.null_count < len(col) and plain(col.type).bit_width > 32:
            lo, hi = pc.min_max(col).values()
            if max(abs(lo.as_py()), abs(hi.as_py())) > MAX_EXACT:
                raise SystemExit(f"column {c.name}: integers beyond 2^53 are not exact as SAS numerics")
        return pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
    return pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)


def text_bytes(col: pa.Array, width: int, codec: str, single_byte: bool) -> np.ndarray:
    """n x width uint8, each value encoded and blank-padded (null -> blanks)."""
    col = as_string(col)
    n = len(col)
    blank = np.uint8(0x20)
    if single_byte and not all_ascii(col):
        enc = pc.dictionary_encode(col)
        values = enc.dictionary.to_pylist()
        table = np.full((len(values) + 1, width), blank, dtype=np.uint8)
        for k, v in enumerate(values):
            b = v.encode(codec)
            table[k, : len(b)] = np.frombuffer(b, dtype=np.uint8)
        idx = enc.indices.fill_null(len(values)).to_numpy(zero_copy_only=False)
        return table[idx]
    bufs = col.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int32, count=n + 1, offset=col.offset * 4)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.empty(0, np.uint8)
    if data.size == 0:
        return np.full((n, width), blank, dtype=np.uint8)
    starts = offsets[:-1].astype(np.int64)
    lengths = np.diff(offsets)
    if col.null_count:
        lengths = np.where(col.is_valid().to_numpy(zero_copy_only=False), lengths, 0)
    j = np.arange(width)
    idx = np.minimum(starts[:, None] + j[None, :], data.size - 1)
    return np.where(j[None, :] < lengths[:, None], data[idx], blank)


def text_widths(pf: pq.ParquetFile, cols: list[Column], codec: str, single_byte: bool) -> None:
    text = [c for c in cols if c.text]
    if not text or pf.metadata.num_rows == 0:
        for c in text:
            c.width, c.format = 1, ("$", 1, 0)
        return
    widest = {c.name: 0 for c in text}
    for batch in pf.iter_batches(batch_size=batch_rows(len(text)), columns=[c.name for c in text]):
        for c in text:
            col = as_string(batch.column(c.name))
            if col.null_count == len(col):
                continue
            if single_byte:
                if not all_ascii(col):
                    for v in pc.unique(col).to_pylist():
                        if v is not None:
                            try:
                                v.encode(codec)
                            except UnicodeEncodeError as e:
                                raise SystemExit(f"column {c.name}: {v!r} cannot be encoded as {codec}: {e}")
                longest = pc.max(pc.utf8_length(col)).as_py()
            else:
                longest = pc.max(pc.binary_length(col)).as_py()
            widest[c.name] = max(widest[c.name], longest or 0)
    for c in text:
        c.width = max(1, widest[c.name])
        if c.width > 32767:
            raise SystemExit(f"column {c.name}: {c.width} bytes exceed SAS's 32767")
        c.format = ("$", c.width, 0)


def rows_of(batch: pa.RecordBatch, cols: list[Column], row_len: int, codec: str, single_byte: bool) -> np.ndarray:
    n = batch.num_rows
    rec = np.empty((n, row_len), dtype=np.uint8)
    off = 0
    for i, c in enumerate(cols):
        col = batch.column(i)
        if c.text:
            rec[:, off : off + c.width] = text_bytes(col, c.width, codec, single_byte)
        else:
            v = np.ascontiguousarray(numeric_values(col, c), dtype=np.float64)
            rec[:, off : off + 8] = v.view(np.uint8).reshape(n, 8)
        off += c.width
    return rec


def convert(path: Path, out_dir: Path, writer: str, args) -> dict:
    codec, code, single_byte = ENCODINGS[args.encoding]
    pf = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
    nrows = pf.metadata.num_rows
    cols = [Column(f, parse_format(args.date_format), parse_format(args.datetime_format)) for f in pf.schema_arrow]
    t0 = time.monotonic()
    text_widths(pf, cols, codec, single_byte)
    row_len = sum(c.width for c in cols)
    rows_per_batch = batch_rows(len(cols), row_len)
    out = out_dir / f"{path.stem}.sas7bdat"
    part = out_dir / f".{path.stem}.sas7bdat.part"
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as meta:
        meta.writelines(c.meta_line() for c in cols)
    cmd = [writer, str(part), str(nrows), meta.name, "--table", path.stem.upper()[:32]]
    if code != 20:
        cmd += ["--encoding", str(code)]
    if args.compress:
        cmd.append("--compress")
    if args.timestamp is not None:
        cmd += ["--timestamp", str(args.timestamp)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    sent = 0
    ok = False
    try:
        try:
            for batch in pf.iter_batches(batch_size=rows_per_batch, columns=[c.name for c in cols]):
                rec = rows_of(batch, cols, row_len, codec, single_byte)
                proc.stdin.write(memoryview(rec).cast("B"))
                sent += batch.num_rows
            proc.stdin.close()
        except BrokenPipeError:
            pass  # the writer stopped early; its exit status says why
        rc = proc.wait()
        if rc != 0 or sent != nrows:
            raise SystemExit(f"{path.name}: writer failed (exit {rc}, {sent}/{nrows} rows sent)")
        part.replace(out)
        ok = True
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.unlink(meta.name)
        if not ok:
            part.unlink(missing_ok=True)
    return {
        "file": out.name,
        "rows": nrows,
        "cols": len(cols),
        "text": sum(c.text for c in cols),
        "row_bytes": row_len,
        "parquet_bytes": path.stat().st_size,
        "sas_bytes": out.stat().st_size,
        "seconds": time.monotonic() - t0,
        "columns": cols,
    }


def rebatch(pf: pq.ParquetFile, size: int, columns):
    """Record batches of exactly `size` rows (the last may be shorter)."""
    pending: list[pa.RecordBatch] = []
    have = 0
    for b in pf.iter_batches(batch_size=size, columns=columns):
        pending.append(b)
        have += b.num_rows
        while have >= size:
            t = pa.Table.from_batches(pending)
            yield t.slice(0, size).combine_chunks()
            rest = t.slice(size)
            pending = rest.to_batches() if rest.num_rows else []
            have = rest.num_rows
    if have:
        yield pa.Table.from_batches(pending).combine_chunks()


def expected_text(col: pa.ChunkedArray) -> np.ndarray:
    col = pa.chunked_array([as_string(c) for c in col.chunks], type=pa.string())
    return np.array([("" if v is None else v.rstrip(" ")) for v in col.to_pylist()], dtype=object)


def verify(path: Path, out: Path, cols: list[Column], args, reader: str) -> int:
    """Reads OUT back and compares every value with PATH. Returns the number of cells compared."""
    import pandas as pd
    import pyreadstat

    codec = ENCODINGS[args.encoding][0]
    pf = pq.ParquetFile(path)
    ncols = len(cols)
    chunk = max(200, 2_000_000 // max(1, ncols))
    if reader == "pyreadstat":
        _, meta = pyreadstat.read_sas7bdat(str(out), metadataonly=True)
        want_enc = {"cp1252": "WINDOWS-1252", "latin-1": "ISO-8859-1", "utf-8": "UTF-8"}[codec]
        if meta.file_encoding != want_enc:
            raise SystemExit(f"{out.name}: file declares {meta.file_encoding}, expected {want_enc}")
        if meta.column_names != [c.name for c in cols] or meta.number_rows != pf.metadata.num_rows:
            raise SystemExit(f"{out.name}: names or row count differ")
        for c in cols:
            name, w, d = c.format
            want = (f"{name}{w or ''}" + (f".{d}" if d else "")) if name else None
            got = meta.original_variable_types[c.name]
            if c.text:
                want = f"${c.width}"
            if got != want:
                raise SystemExit(f"{out.name}: column {c.name} has format {got}, expected {want}")
        chunks = pyreadstat.read_file_in_chunks(pyreadstat.read_sas7bdat, str(out), chunksize=chunk)
        frames = (df for df, _ in chunks)
    else:
        frames = pd.read_sas(str(out), format="sas7bdat", encoding=codec, chunksize=chunk)
    cells = 0
    seen = 0
    names = [c.name for c in cols]
    for expected, got in zip(rebatch(pf, chunk, names), frames, strict=True):
        n = expected.num_rows
        if len(got) != n or list(got.columns) != names:
            raise SystemExit(f"{out.name}: chunk at row {seen} has a different shape")
        for c in cols:
            e = expected.column(c.name)
            g = got[c.name]
            if c.text:
                gv = g.fillna("").to_numpy(dtype=object)
                gv = np.array([v.rstrip(" ") for v in gv], dtype=object)
                ok = np.array_equal(expected_text(e), gv)
            elif c.kind in ("date", "datetime") and not pd.api.types.is_numeric_dtype(g.dtype):
                # the reader's own date conversion, against the parquet dates
                unit = "datetime64[D]" if c.kind == "date" else "datetime64[ms]"
                ev = e.cast(pa.date32() if c.kind == "date" else pa.timestamp("us"))
                ev = ev.to_numpy(zero_copy_only=False).astype(unit)
                gv = pd.to_datetime(pd.Series(g)).to_numpy().astype(unit)
                ok = bool(np.all((ev == gv) | (np.isnat(ev) & np.isnat(gv))))
            else:
                ev = numeric_values(pa.chunked_array(e.chunks, type=e.type).combine_chunks(), c)
                gv = pd.to_numeric(g).to_numpy(dtype=np.float64)
                ok = np.array_equal(ev, gv, equal_nan=True)
            if not ok:
                raise SystemExit(f"{out.name}: column {c.name} differs in rows {seen}..{seen + n - 1} ({reader})")
            cells += n
        seen += n
    if seen != pf.metadata.num_rows:
        raise SystemExit(f"{out.name}: read back {seen} rows, expected {pf.metadata.num_rows}")
    return cells


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("in_dir", type=Path)
    p.add_argument("out_dir", type=Path)
    p.add_argument("--writer", required=True, help="compiled bench/sas_writer.c")
    p.add_argument("--encoding", choices=sorted(ENCODINGS), default="wlatin1")
    p.add_argument("--date-format", default="DATE9")
    p.add_argument("--datetime-format", default="DATETIME20")
    p.add_argument("--compress", action="store_true", help="RLE-compressed rows (SASYZCRL)")
    p.add_argument("--timestamp", type=int, default=None, help="file timestamp (Unix seconds)")
    p.add_argument("--verify", action="append", choices=["pyreadstat", "pandas"], default=[])
    p.add_argument("--only", action="append", default=[], help="convert only these stems")
    args = p.parse_args()
    if args.timestamp is None and os.environ.get("SOURCE_DATE_EPOCH"):
        args.timestamp = int(os.environ["SOURCE_DATE_EPOCH"])
    files = sorted(args.in_dir.glob("*.parquet"))
    if args.only:
        files = [f for f in files if f.stem in args.only]
    if not files:
        raise SystemExit(f"no *.parquet in {args.in_dir}")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    print(f"{'file':<22}{'rows':>10}{'cols':>6}{'text':>6}{'row B':>8}{'parquet':>12}{'sas7bdat':>14}{'s':>8}")
    total = 0.0
    for f in files:
        r = convert(f, args.out_dir, args.writer, args)
        total += r["seconds"]
        print(
            f"{r['file']:<22}{r['rows']:>10}{r['cols']:>6}{r['text']:>6}{r['row_bytes']:>8}"
            f"{r['parquet_bytes']:>12}{r['sas_bytes']:>14}{r['seconds']:>8.1f}",
            flush=True,
        )
        for reader in args.verify:
            t0 = time.monotonic()
            cells = verify(f, args.out_dir / r["file"], r["columns"], args, reader)
            print(f"  verified with {reader}: {cells} values equal ({time.monotonic() - t0:.1f} s)", flush=True)
    print(f"converted {len(files)} files in {total:.1f} s ({args.encoding}, "
          f"{'RLE-compressed' if args.compress else 'uncompressed'}, dates {args.date_format}.)")


if __name__ == "__main__":
    main()
