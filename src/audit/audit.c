/* Decision records and runc-format error lines: see audit.h. */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "secshim/audit.h"
#include "secshim/cleanup.h"
#include "secshim/util.h"

/* The record's schema (docs/audit.md).  Version 1 is the records written
 * before this field existed: second-resolution "time", no host, engine or
 * image, no size cap. */
#define AUDIT_SCHEMA_VERSION 2
/* A record is one line a log pipeline can take whole: every string value is
 * cut at AUDIT_VALUE_MAX bytes (with a marker saying how much is missing;
 * `secshim check` prints the whole value), and findings that would push the
 * line past AUDIT_LINE_MAX are left out and counted. */
#define AUDIT_VALUE_MAX 512
#define AUDIT_LINE_MAX 8192

/* Set by audit_describe() for the one decision this process takes. */
static char *described_engine;
static char *described_image;

/* v in exactly width decimal digits at o; returns the end. */
static char *
put_digits (char *o, unsigned v, int width)
{
  for (int i = width - 1; i >= 0; i--, v /= 10)
    o[i] = (char) ('0' + v % 10);
  return o + width;
}

/* The UTC calendar date and time of sec, 1970 to 9999, as gmtime_r gives
 * it, without gmtime_r: glibc's reads /etc/localtime on its first call
 * (seven system calls) for a time zone a UTC record never uses.  Days to
 * civil date after H. Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms"; tests/unit/test_audit_record.c compares with gmtime_r. */
static bool
utc_fields (int64_t sec, unsigned f[6])
{
  uint64_t days, doe, yoe, doy, mp, y;
  if (sec < 0 || sec > INT64_C (253402300799)) /* 9999-12-31T23:59:59Z */
    return false;
  days = (uint64_t) sec / 86400 + 719468; /* from 0000-03-01 */
  doe = days % 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  y = yoe + days / 146097 * 400;
  f[1] = (unsigned) (mp < 10 ? mp + 3 : mp - 9);
  f[0] = (unsigned) (y + (f[1] <= 2));
  f[2] = (unsigned) (doy - (153 * mp + 2) / 5 + 1);
  f[3] = (unsigned) ((uint64_t) sec % 86400 / 3600);
  f[4] = (unsigned) ((uint64_t) sec % 3600 / 60);
  f[5] = (unsigned) ((uint64_t) sec % 60);
  return true;
}

void
audit_format_time (int64_t sec, long nsec, char buf[AUDIT_TIME_MAX])
{
  static const char sep[] = "--T::.";
  static const int width[] = { 4, 2, 2, 2, 2, 2 };
  unsigned f[6];
  unsigned usec = (unsigned) (nsec / 1000) % 1000000u;
  char *o = buf;

  if (!utc_fields (sec, f))
    {
      /* out of the four-digit years: the library, as strftime's %Y did */
      struct tm tm;
      time_t t = (time_t) sec;
      if (gmtime_r (&t, &tm) == NULL)
        memset (&tm, 0, sizeof tm);
      snprintf (buf, AUDIT_TIME_MAX, "%d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
      return;
    }
  for (int i = 0; i < 6; i++)
    {
      o = put_digits (o, f[i], width[i]);
      *o++ = sep[i];
    }
  o = put_digits (o, usec, 6);
  memcpy (o, "Z", 2);
}

/* RFC 3339 in UTC with microseconds: records of one container's create and
 * start often share a second. */
static void
rfc3339_now (char buf[AUDIT_TIME_MAX])
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  audit_format_time ((int64_t) ts.tv_sec, ts.tv_nsec, buf);
}

/* Length of the longest prefix of s, at most max bytes, that does not end
 * inside a UTF-8 sequence. */
static size_t
utf8_cut (const char *s, size_t max)
{
  size_t n = max;
  while (n > 0 && ((unsigned char) s[n] >> 6) == 2)
    n--;
  return n;
}

void
audit_describe (const char *engine, const char *image)
{
  free (described_engine);
  free (described_image);
  described_engine = engine ? xstrdup (engine) : NULL;
  described_image = image ? xstrdup (image) : NULL;
}

/* ---- the record's writer ----
 *
 * The record is written straight into one buffer, each finding once: no
 * tree, no copy per value.  Strings come out as json_write (src/json/
 * write.c, yajl_gen's rules) writes them: '"' and '\\' escaped, \b \f \n
 * \r \t by name, other bytes below 0x20 as \u00XX, everything else raw,
 * and a string that yajl's UTF-8 check refuses fails the write.
 * tests/unit/test_audit_record.c compares it with the tree and json_write
 * it replaces. */

/* A record with a few findings is 2-5 KiB. */
#define REC_FIRST_CAP 4096

static void
put (struct strbuf *b, const char *s, size_t n)
{
  strbuf_append (b, s, n, REC_FIRST_CAP);
}

#define PUT_LITERAL(b, lit) put ((b), (lit), sizeof (lit) - 1)

/* Bytes written as they are: printable ASCII but '"' and '\\'. */
static const bool raw_byte[256] = { [0x20 ... 0x21] = true, [0x23 ... 0x5b] = true, [0x5d ... 0x7f] = true };

static const char hex_digits[] = "0123456789abcdef";
static const char HEX_DIGITS[] = "0123456789ABCDEF";

/* The escape of an ASCII byte that is not raw, as yajl_gen writes it, at
 * o; returns its end. */
static char *
put_escape (char *o, unsigned char c)
{
  static const char named[]
      = { ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't', ['"'] = '"', ['\\'] = '\\' };
  *o++ = '\\';
  if (c < sizeof named && named[c])
    *o++ = named[c];
  else
    {
      memcpy (o, "u00", 3);
      o[3] = HEX_DIGITS[c >> 4];
      o[4] = HEX_DIGITS[c & 0x0f];
      o += 5;
    }
  return o;
}

/* Length of the UTF-8 sequence at s[i] (lead and continuation bit patterns
 * only, as yajl_string_validate_utf8 checks), 0 when it is not one. */
static size_t
utf8_seq (const unsigned char *s, size_t i, size_t n)
{
  unsigned char c = s[i];
  size_t need = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (need == 0 || i + need > n)
    return 0;
  for (size_t k = 1; k < need; k++)
    if ((s[i + k] >> 6) != 2)
      return 0;
  return need;
}

/* Copy the run of raw bytes at s[i..n) to *o, sixteen (SSE2) or eight
 * bytes at a time (nearly every byte of a record is raw); returns where
 * the run ends.  Each block is stored whole before it is tested: the bytes
 * past the run's end are scratch the caller overwrites, and put_string
 * reserves sixteen bytes of slack for them.  A tail shorter than eight
 * bytes of a string of eight or more is read as the string's last eight
 * bytes, shifted so that the bytes before i drop out and raw 'a's fill
 * in. */
static size_t
copy_raw (const unsigned char *s, size_t i, size_t n, char **o)
{
  char *d = *o;
  uint64_t w, hit;
  size_t k;

#ifdef __SSE2__
  /* sixteen bytes a step: raw is above 0x1f as a signed byte (0x20..0x7f)
   * and neither '"' nor '\\' */
  const __m128i low = _mm_set1_epi8 (0x1f), quote = _mm_set1_epi8 ('"'), bslash = _mm_set1_epi8 ('\\');
  for (; i + 16 <= n; i += 16, d += 16)
    {
      __m128i x = _mm_loadu_si128 ((const __m128i *) (const void *) (s + i));
      _mm_storeu_si128 ((__m128i *) (void *) d, x);
      __m128i bad = _mm_or_si128 (_mm_cmpeq_epi8 (x, quote), _mm_cmpeq_epi8 (x, bslash));
      unsigned raw = (unsigned) _mm_movemask_epi8 (_mm_andnot_si128 (bad, _mm_cmpgt_epi8 (x, low)));
      if (raw != 0xffff)
        {
          k = (size_t) __builtin_ctz (~raw);
          *o = d + k;
          return i + k;
        }
    }
#endif
  for (; i + 8 <= n; i += 8, d += 8)
    {
      memcpy (&w, s + i, sizeof w);
      memcpy (d, &w, sizeof w);
      hit = json_word_not_plain (w);
      if (hit)
        {
          k = (size_t) __builtin_ctzll (hit) / 8;
          *o = d + k;
          return i + k;
        }
    }
  if (i < n && n >= 8)
    {
      unsigned shift = (unsigned) (i - (n - 8)) * 8; /* 8..56 */
      memcpy (&w, s + n - 8, sizeof w);
      w = (w >> shift) | (0x6161616161616161ull << (64 - shift));
      memcpy (d, &w, sizeof w);
      hit = json_word_not_plain (w);
      k = hit ? (size_t) __builtin_ctzll (hit) / 8 : n - i;
      *o = d + k;
      return i + k;
    }
  while (i < n && raw_byte[s[i]])
    *d++ = (char) s[i++];
  *o = d;
  return i;
}

/* s[0..n) quoted.  A byte of an invalid sequence is written as the text
 * "\xHH" when hex_invalid (json_escape_for_log), else fails the string:
 * false, with the buffer left as it was. */
static bool
put_string (struct strbuf *b, const char *str, size_t n, bool hex_invalid)
{
  const unsigned char *s = (const unsigned char *) str;
  size_t i = 0, need;
  char *o;

  /* at most six bytes out for one in (\u00XX), the quotes, and
   * copy_raw's sixteen bytes of scratch */
  strbuf_reserve (b, 6 * n + 2 + 16, REC_FIRST_CAP);
  o = b->buf + b->len;
  *o++ = '"';
  while ((i = copy_raw (s, i, n, &o)) < n)
    if (s[i] < 0x80)
      o = put_escape (o, s[i++]);
    else if ((need = utf8_seq (s, i, n)) > 0)
      {
        memcpy (o, s + i, need);
        o += need;
        i += need;
      }
    else if (hex_invalid)
      {
        /* "\xHH" as JSON text: its backslash escaped */
        memcpy (o, "\\\\x", 3);
        o[3] = hex_digits[s[i] >> 4];
        o[4] = hex_digits[s[i] & 0x0f];
        o += 5;
        i++;
      }
    else
      {
        b->buf[b->len] = '\0';
        return false;
      }
  *o++ = '"';
  *o = '\0';
  b->len = (size_t) (o - b->buf);
  return true;
}

/* ,"key":"value" for a value secshim made (verb, policy path, rule name):
 * false when it is not UTF-8, which json_write refused as well. */
static bool
put_field (struct strbuf *b, const char *key, const char *val)
{
  if (val == NULL)
    return true;
  PUT_LITERAL (b, ",\"");
  put (b, key, strlen (key));
  PUT_LITERAL (b, "\":");
  return put_string (b, val, strlen (val), false);
}

/* ,"key":"value" for a value from the document or the host: invalid UTF-8
 * as "\xHH" text (json_escape_for_log), and longer than AUDIT_VALUE_MAX:
 * cut, with "...[+N bytes]" saying how much is gone.  NULL is "". */
static void
put_safe_field (struct strbuf *b, const char *key, const char *val)
{
  char cut[AUDIT_VALUE_MAX + sizeof "...[+18446744073709551615 bytes]"];
  size_t len = val ? strlen (val) : 0;

  if (len > AUDIT_VALUE_MAX)
    {
      size_t keep = utf8_cut (val, AUDIT_VALUE_MAX);
      memcpy (cut, val, keep);
      len = keep + (size_t) snprintf (cut + keep, sizeof cut - keep, "...[+%zu bytes]", len - keep);
      val = cut;
    }
  PUT_LITERAL (b, ",\"");
  put (b, key, strlen (key));
  PUT_LITERAL (b, "\":");
  (void) put_string (b, val ? val : "", len, true);
}

/* Every field but the findings, without the closing brace. */
static bool
put_head (struct strbuf *b, const struct audit_event *ev, const char *now, const char *host)
{
  bool ok;
  char version[32];
  snprintf (version, sizeof version, "{\"schemaVersion\":%d", AUDIT_SCHEMA_VERSION);
  put (b, version, strlen (version));
  ok = put_field (b, "time", now);
  if (host)
    put_safe_field (b, "host", host);
  ok = ok && put_field (b, "verb", ev->verb);
  if (ev->container_id)
    put_safe_field (b, "id", ev->container_id);
  if (ev->bundle)
    put_safe_field (b, "bundle", ev->bundle);
  ok = ok && put_field (b, "engine", described_engine);
  if (described_image)
    put_safe_field (b, "image", described_image);
  ok = ok && put_field (b, "policy", ev->policy ? ev->policy->path : ev->policy_path);
  ok = ok && put_field (b, "policySha256", ev->policy ? ev->policy->sha256 : NULL);
  ok = ok && put_field (b, "outcome", ev->outcome);
  if (ev->error)
    put_safe_field (b, "error", ev->error);
  return ok;
}

/* One finding as an object; false (buffer as it was) when it cannot be
 * written. */
static bool
put_finding (struct strbuf *b, const struct finding *f)
{
  size_t start = b->len;
  PUT_LITERAL (b, "{\"rule\":");
  if (!put_string (b, f->rule ? f->rule : "", f->rule ? strlen (f->rule) : 0, false))
    goto fail;
  put_safe_field (b, "path", f->path);
  if (!put_field (b, "action", action_name (f->action)))
    goto fail;
  put_safe_field (b, "message", f->message);
  if (f->before)
    put_safe_field (b, "before", f->before);
  if (f->after)
    put_safe_field (b, "after", f->after);
  if (f->exempted)
    PUT_LITERAL (b, ",\"exempted\":true");
  PUT_LITERAL (b, "}");
  return true;
fail:
  b->len = start;
  return false;
}

/* The findings, in order, while they fit in what the line has left; the
 * rest are counted in "findingsOmitted".  Each finding is written once:
 * linear in the record's size. */
char *
audit_json_line (const struct audit_event *ev, const char *now, const char *host, size_t *len)
{
  struct strbuf b = { 0 };
  size_t used, i, omitted = 0, n = ev->findings ? ev->findings->n : 0;

  if (!put_head (&b, ev, now, host))
    {
      free (b.buf);
      return NULL;
    }
  /* the head's closing brace, and room for
   * ,"findings":[],"findingsOmitted":NNNNNNNNNNNNNNNNNNNN */
  used = b.len + 1 + 64;
  PUT_LITERAL (&b, ",\"findings\":[");
  for (i = 0; i < n && omitted == 0; i++)
    {
      size_t mark = b.len, one;
      if (i > 0)
        PUT_LITERAL (&b, ",");
      one = b.len;
      if (put_finding (&b, &ev->findings->v[i]) && used + (b.len - one) + 1 <= AUDIT_LINE_MAX)
        used += b.len - one + 1;
      else
        {
          b.len = mark;
          omitted = n - i;
        }
    }
  PUT_LITERAL (&b, "]");
  if (omitted)
    {
      char tail[48];
      snprintf (tail, sizeof tail, ",\"findingsOmitted\":%zu", omitted);
      put (&b, tail, strlen (tail));
    }
  PUT_LITERAL (&b, "}");
  *len = b.len;
  return b.buf;
}

static int audit_json_record (const struct audit_event *ev, secshim_error_t *err);

static int
mkdir_parent (const char *path)
{
  cleanup_free char *dir = xstrdup (path);
  char *slash = strrchr (dir, '/');
  if (slash == NULL || slash == dir)
    return 0;
  *slash = '\0';
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return -1;
  return 0;
}

bool
audit_failure_refuses (const struct policy *p)
{
  return p == NULL || p->audit_on_failure == AUDIT_ON_FAILURE_REFUSE;
}

int
audit_record (const struct audit_event *ev, secshim_error_t *err)
{
  secshim_error_t linux_err = NULL;
  int json = audit_json_record (ev, err);
  /* The Linux record is written even when the JSON line failed: the two
   * go to different places, and one of them may still reach the admin. */
  if (audit_linux_record (ev, json < 0 ? &linux_err : err) >= 0)
    return json;
  if (json < 0)
    {
      char *both = NULL;
      xasprintf (&both, "%s; and %s", (*err)->msg, linux_err->msg);
      free ((*err)->msg);
      (*err)->msg = both;
      secshim_error_release (&linux_err);
    }
  return -1;
}

static int
audit_json_record (const struct audit_event *ev, secshim_error_t *err)
{
  cleanup_free char *line = NULL;
  cleanup_close int fd = -1;
  const char *log = ev->policy ? ev->policy->audit_log : NULL;
  char now[AUDIT_TIME_MAX];
  char host[256] = "";
  size_t len;

  if (log == NULL && !(ev->policy && ev->policy->audit_syslog))
    return 0;
  rfc3339_now (now);
  if (gethostname (host, sizeof host - 1) < 0)
    host[0] = '\0';
  line = audit_json_line (ev, now, host[0] ? host : NULL, &len);
  if (line == NULL)
    return secshim_make_error (err, SECSHIM_EINPUT, "audit: cannot serialise the record");
  if (ev->policy && ev->policy->audit_syslog)
    {
      openlog ("secshim", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
      syslog (strcmp (ev->outcome, "refused") == 0 ? LOG_WARNING : LOG_INFO, "%s", line);
      closelog ();
    }
  if (log == NULL)
    return 0;
  fd = open (log, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  /* the directory only when it is missing, not a mkdir per record */
  if (fd < 0 && errno == ENOENT)
    {
      (void) mkdir_parent (log);
      fd = open (log, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
  if (fd < 0)
    return secshim_make_error (err, errno, "audit: open `%s`", log);
  line[len] = '\n'; /* replaces the NUL: one write, one line */
  if (write_all_fd (fd, line, len + 1) < 0)
    return secshim_make_error (err, errno, "audit: write `%s`", log);
  return 0;
}

/* logrus text formatter quoting: msg="..." with Go-style escapes. */
static char *
text_quote (const char *s)
{
  size_t n = strlen (s), i, o = 0;
  char *out = xmalloc (n * 4 + 3);
  out[o++] = '"';
  for (i = 0; i < n; i++)
    {
      unsigned char c = (unsigned char) s[i];
      if (c == '"' || c == '\\')
        {
          out[o++] = '\\';
          out[o++] = (char) c;
        }
      else if (c < 0x20 || c == 0x7f)
        o += (size_t) sprintf (out + o, "\\x%02x", c);
      else
        out[o++] = (char) c;
    }
  out[o++] = '"';
  out[o] = '\0';
  return out;
}

static char *
log_line (const char *format, const char *level, const char *msg)
{
  char now[AUDIT_TIME_MAX];
  char *line = NULL;
  rfc3339_now (now);
  if (format && strcmp (format, "json") == 0)
    {
      struct strbuf b = { 0 };
      PUT_LITERAL (&b, "{\"level\":");
      (void) put_string (&b, level, strlen (level), false);
      put_safe_field (&b, "msg", msg);
      if (!put_field (&b, "time", now))
        {
          free (b.buf);
          return NULL;
        }
      PUT_LITERAL (&b, "}");
      return b.buf;
    }
  {
    cleanup_free char *q = text_quote (msg);
    xasprintf (&line, "time=\"%s\" level=%s msg=%s", now, level, q);
  }
  return line;
}

static void
append_log_line (const char *log_path, const char *line)
{
  cleanup_close int fd = -1;
  cleanup_free char *with_nl = NULL;
  /* As runc's own --log: O_APPEND|O_CREAT, mode 0644. */
  fd = open (log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  xasprintf (&with_nl, "%s\n", line);
  (void) write_all_fd (fd, with_nl, strlen (with_nl));
}

void
report_refusal (const char *log_path, const char *log_format, const char *message)
{
  cleanup_free char *line = NULL;
  cleanup_free char *plain = NULL;

  xasprintf (&plain, "secshim: %s", message);
  if (log_path && *log_path)
    {
      line = log_line (log_format, "error", plain);
      if (line)
        append_log_line (log_path, line);
      /* runc prints the plain message on stderr too when --log is a file. */
      dprintf (STDERR_FILENO, "%s\n", plain);
      return;
    }
  line = log_line (log_format, "error", plain);
  dprintf (STDERR_FILENO, "%s\n", line ? line : plain);
}

void
report_warning (const char *log_path, const char *log_format, const char *message)
{
  cleanup_free char *line = NULL;
  cleanup_free char *plain = NULL;

  xasprintf (&plain, "secshim: warning: %s", message);
  line = log_line (log_format, "warning", plain);
  if (log_path && *log_path && line)
    append_log_line (log_path, line);
  else
    dprintf (STDERR_FILENO, "%s\n", plain);
}

char *
json_escape_for_log (const char *s)
{
  /* Keep valid UTF-8 as is (the writer escapes control characters); replace
   * each byte of an invalid sequence with "\xHH" text so that nothing is lost
   * and nothing breaks the line. */
  size_t n = s ? strlen (s) : 0, i = 0, o = 0;
  char *out = xmalloc (n * 4 + 1);
  while (i < n)
    {
      unsigned char c = (unsigned char) s[i];
      size_t need, k, run = i;
      bool valid;
      /* ASCII runs (nearly every message and path) in one copy */
      while (run < n && (unsigned char) s[run] < 0x80)
        run++;
      if (run > i)
        {
          memcpy (out + o, s + i, run - i);
          o += run - i;
          i = run;
          continue;
        }
      need = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      valid = need > 0 && i + need <= n;
      for (k = 1; valid && k < need; k++)
        valid = ((unsigned char) s[i + k] >> 6) == 2;
      if (valid)
        {
          memcpy (out + o, s + i, need);
          o += need;
          i += need;
        }
      else
        {
          o += (size_t) sprintf (out + o, "\\x%02x", c);
          i++;
        }
    }
  out[o] = '\0';
  return out;
}
