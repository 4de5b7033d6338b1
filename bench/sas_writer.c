/*
 * sas_writer: streams fixed-width binary rows from stdin into a SAS7BDAT file through
 * ReadStat's writer API (Debian package libreadstat-dev). Compiled and driven by
 * bench/sas-registers.sh (bench/sas_registers.py builds the rows from parquet files).
 *
 *   sas_writer OUT.sas7bdat ROWS META.tsv [--compress] [--encoding CODE] [--table NAME]
 *              [--timestamp UNIX_SECONDS]
 *
 * META.tsv has one line per column, in file order:
 *   name <TAB> N|S <TAB> width <TAB> format name <TAB> format width <TAB> format digits
 * N is a numeric column (8 bytes, a native-endian IEEE double in each input row; NaN is
 * written as SAS missing "."), S a character column of `width` bytes (the bytes are written
 * as they come, blank-padded by the caller). stdin holds exactly ROWS rows of
 * sum(widths) bytes each.
 *
 * Two things ReadStat's sas7bdat writer does not do are done here after it has finished
 * (both are plain header/subheader fields, patched in place):
 *   - format width and digits: ReadStat stores the format name only, so `DATE` plus width 9
 *     is written as the name `DATE` and width/digits 9/0 are set in each column-format
 *     subheader (offsets 24/26 in a 64-bit file, 12/14 in a 32-bit one);
 *   - the character encoding: ReadStat always declares UTF-8 (code 20) in the file header
 *     (offset 70); --encoding sets another SAS code, e.g. 62 (WLATIN1 = Windows-1252) or
 *     29 (LATIN1 = ISO-8859-1). The caller is responsible for handing over bytes in that
 *     encoding.
 * The last column gets a blank label (12 spaces, which readers trim away): SAS ends each
 * column-text block with 12 bytes of padding that the block's size field leaves out, ReadStat
 * does not, and readers that trust the field (pandas.read_sas) would lose the last name or format.
 * --compress asks ReadStat for RLE ("SASYZCRL") row compression; ReadStat then keeps every
 * compressed row in memory until the end (the header needs the page count), so memory grows
 * with the compressed size of the file. Without it rows go to disk page by page.
 */
#define _FILE_OFFSET_BITS 64
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <readstat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    char *name;
    int is_string;
    size_t width;
    char *format;
    int format_width;
    int format_digits;
    readstat_variable_t *var;
} column_t;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "sas_writer: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void check(readstat_error_t err, const char *what) {
    if (err != READSTAT_OK) die(what, readstat_error_message(err));
}

static ssize_t write_fd(const void *data, size_t len, void *ctx) {
    int fd = *(int *)ctx;
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        left -= (size_t)n;
    }
    return (ssize_t)len;
}

static int read_full(int fd, void *buf, size_t len) {
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("read from stdin failed", strerror(errno));
        }
        if (n == 0) break;
        got += (size_t)n;
    }
    return got == len ? 1 : (got == 0 ? 0 : -1);
}

static column_t *read_meta(const char *path, size_t *count) {
    FILE *f = fopen(path, "r");
    if (!f) die("cannot open metadata file", path);
    size_t cap = 64, n = 0;
    column_t *cols = calloc(cap, sizeof(column_t));
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t len;
    while ((len = getline(&line, &line_cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (len == 0) continue;
        char *field[6] = {0};
        char *s = line;
        for (int i = 0; i < 6; i++) {
            field[i] = s;
            char *tab = s ? strchr(s, '\t') : NULL;
            if (tab) {
                *tab = '\0';
                s = tab + 1;
            } else {
                s = NULL;
            }
        }
        if (!field[5]) die("metadata line needs 6 tab-separated fields", field[0]);
        if (n == cap) {
            cap *= 2;
            cols = realloc(cols, cap * sizeof(column_t));
        }
        column_t *c = &cols[n++];
        memset(c, 0, sizeof(*c));
        c->name = strdup(field[0]);
        c->is_string = field[1][0] == 'S';
        c->width = c->is_string ? strtoul(field[2], NULL, 10) : 8;
        c->format = field[3][0] ? strdup(field[3]) : NULL;
        c->format_width = atoi(field[4]);
        c->format_digits = atoi(field[5]);
        if (c->is_string && (c->width < 1 || c->width > 32767))
            die("character width must be 1..32767", c->name);
    }
    free(line);
    fclose(f);
    *count = n;
    return cols;
}

static uint16_t rd16(const unsigned char *p, int bswap) {
    uint16_t v;
    memcpy(&v, p, 2);
    return bswap ? (uint16_t)((v >> 8) | (v << 8)) : v;
}

static uint32_t rd32(const unsigned char *p, int bswap) {
    uint32_t v;
    memcpy(&v, p, 4);
    return bswap ? __builtin_bswap32(v) : v;
}

static uint64_t rd64(const unsigned char *p, int bswap) {
    uint64_t v;
    memcpy(&v, p, 8);
    return bswap ? __builtin_bswap64(v) : v;
}

static void wr16(unsigned char *p, uint16_t v, int bswap) {
    if (bswap) v = (uint16_t)((v >> 8) | (v << 8));
    memcpy(p, &v, 2);
}

/* Sets format width/digits in the column-format subheaders (one per column, in column order,
 * on the meta pages at the start of the file) and the encoding byte of the header. */
static void patch_file(int fd, const column_t *cols, size_t ncols, int encoding) {
    unsigned char head[1024];
    if (pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head)) die("cannot re-read header", NULL);
    int u64 = head[32] == 0x33;
    int a1 = head[35] == 0x33 ? 4 : 0;
    int little = head[37] == 0x01;
    uint16_t probe = 1;
    int machine_little = *(unsigned char *)&probe == 1;
    int bswap = little != machine_little;
    uint32_t header_size = rd32(&head[196 + a1], bswap);
    uint32_t page_size = rd32(&head[200 + a1], bswap);
    uint64_t page_count = u64 ? rd64(&head[204 + a1], bswap) : rd32(&head[204 + a1], bswap);
    size_t page_header = u64 ? 40 : 24, ptr_size = u64 ? 24 : 12, width_at = u64 ? 24 : 12;

    if (encoding >= 0) {
        unsigned char code = (unsigned char)encoding;
        if (pwrite(fd, &code, 1, 70) != 1) die("cannot patch encoding byte", strerror(errno));
    }

    unsigned char *page = malloc(page_size);
    size_t next = 0, text_blocks = 0;
    for (uint64_t p = 0; p < page_count && next < ncols; p++) {
        off_t at = (off_t)header_size + (off_t)p * page_size;
        if (pread(fd, page, page_size, at) != (ssize_t)page_size) die("cannot re-read page", NULL);
        uint16_t type = rd16(&page[page_header - 8], bswap);
        if (type != 0 && type != 512) continue; /* meta or mix page */
        uint16_t n = rd16(&page[page_header - 4], bswap);
        int dirty = 0;
        for (uint16_t i = 0; i < n && next < ncols; i++) {
            const unsigned char *ptr = &page[page_header + i * ptr_size];
            uint64_t off = u64 ? rd64(ptr, bswap) : rd32(ptr, bswap);
            uint64_t len = u64 ? rd64(ptr + 8, bswap) : rd32(ptr + 4, bswap);
            int is_row = ptr[u64 ? 17 : 9] == 1 && ptr[u64 ? 16 : 8] != 0;
            if (len < width_at + 4 || off + len > page_size || is_row) continue;
            if (rd32(&page[off], bswap) == 0xFFFFFFFDu) text_blocks++; /* column text */
            if (rd32(&page[off], bswap) != 0xFFFFFBFEu) continue; /* column format subheader */
            wr16(&page[off + width_at], (uint16_t)cols[next].format_width, bswap);
            wr16(&page[off + width_at + 2], (uint16_t)cols[next].format_digits, bswap);
            next++;
            dirty = 1;
        }
        if (dirty && pwrite(fd, page, page_size, at) != (ssize_t)page_size)
            die("cannot patch page", strerror(errno));
    }
    if (next != ncols) die("did not find one column-format subheader per column", NULL);
    if (text_blocks > 1)
        fprintf(stderr, "sas_writer: warning: column text spans %zu blocks; readers that trust the "
                        "block-size field (pandas.read_sas) misread the end of all but the last\n",
                text_blocks);
    free(page);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: sas_writer OUT.sas7bdat ROWS META.tsv [--compress] [--encoding CODE]"
                        " [--table NAME] [--timestamp UNIX]\n");
        return 2;
    }
    const char *out = argv[1];
    long rows = strtol(argv[2], NULL, 10);
    int compress = 0, encoding = -1;
    const char *table = NULL;
    long long timestamp = -1;
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "--compress")) compress = 1;
        else if (!strcmp(argv[i], "--encoding") && i + 1 < argc) encoding = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--table") && i + 1 < argc) table = argv[++i];
        else if (!strcmp(argv[i], "--timestamp") && i + 1 < argc) timestamp = atoll(argv[++i]);
        else die("unknown argument", argv[i]);
    }

    size_t ncols;
    column_t *cols = read_meta(argv[3], &ncols);
    if (ncols == 0) die("no columns", argv[3]);

    int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die("cannot create output", out);

    readstat_writer_t *writer = readstat_writer_init();
    check(readstat_set_data_writer(writer, &write_fd), "set data writer");
    if (compress) check(readstat_writer_set_compression(writer, READSTAT_COMPRESS_ROWS), "set compression");
    if (table) check(readstat_writer_set_table_name(writer, table), "set table name");
    if (timestamp >= 0) check(readstat_writer_set_file_timestamp(writer, (time_t)timestamp), "set timestamp");

    size_t row_len = 0, max_width = 8;
    for (size_t i = 0; i < ncols; i++) {
        column_t *c = &cols[i];
        c->var = readstat_add_variable(writer, c->name,
                                       c->is_string ? READSTAT_TYPE_STRING : READSTAT_TYPE_DOUBLE,
                                       c->is_string ? c->width : 0);
        if (c->format) readstat_variable_set_format(c->var, c->format);
        /* SAS ends each column-text block with 12 bytes (64-bit files) of padding that its
         * block-size field leaves out; ReadStat fills the field the same way but without the
         * padding, so readers that trust the field (pandas.read_sas, parso) lose the last 12
         * bytes of text: the last column names or formats. A blank label on the last column
         * (readers trim it away) puts 12 blanks there instead. */
        if (i + 1 == ncols) readstat_variable_set_label(c->var, "            ");
        row_len += c->width;
        if (c->width > max_width) max_width = c->width;
    }

    check(readstat_begin_writing_sas7bdat(writer, &fd, rows), "begin writing");

    size_t batch_rows = (16u << 20) / row_len;
    if (batch_rows < 1) batch_rows = 1;
    unsigned char *buf = malloc(batch_rows * row_len);
    char *text = malloc(max_width + 1);
    if (!buf || !text) die("out of memory", NULL);

    long done = 0;
    while (done < rows) {
        size_t want = (size_t)(rows - done) < batch_rows ? (size_t)(rows - done) : batch_rows;
        int r = read_full(STDIN_FILENO, buf, want * row_len);
        if (r != 1) die("stdin ended before all rows arrived", NULL);
        for (size_t k = 0; k < want; k++) {
            const unsigned char *row = buf + k * row_len;
            check(readstat_begin_row(writer), "begin row");
            for (size_t i = 0; i < ncols; i++) {
                const column_t *c = &cols[i];
                if (c->is_string) {
                    memcpy(text, row, c->width);
                    text[c->width] = '\0';
                    check(readstat_insert_string_value(writer, c->var, text), c->name);
                } else {
                    double v;
                    memcpy(&v, row, 8);
                    if (isnan(v)) check(readstat_insert_missing_value(writer, c->var), c->name);
                    else check(readstat_insert_double_value(writer, c->var, v), c->name);
                }
                row += c->width;
            }
            check(readstat_end_row(writer), "end row");
        }
        done += (long)want;
    }
    unsigned char extra;
    if (read(STDIN_FILENO, &extra, 1) > 0) die("stdin holds more rows than announced", NULL);

    check(readstat_end_writing(writer), "end writing");
    readstat_writer_free(writer);
    patch_file(fd, cols, ncols, encoding);
    if (close(fd) != 0) die("close failed", strerror(errno));
    free(buf);
    free(text);
    return 0;
}
