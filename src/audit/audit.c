/* Decision records and runc-format error lines: see audit.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "secshim/audit.h"
#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/util.h"

DEFINE_CLEANUP_FUNC (struct json_value *, json_free)

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

/* RFC 3339 in UTC with microseconds: records of one container's create and
 * start often share a second. */
static void
rfc3339_now (char buf[40])
{
  struct timespec ts;
  struct tm tm;
  size_t n;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  n = strftime (buf, 40, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, 40 - n, ".%06uZ", (unsigned) (ts.tv_nsec / 1000) % 1000000u);
}

static void
set_str (struct json_value *obj, const char *key, const char *val)
{
  if (val)
    json_set (obj, key, json_new_string (val));
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

/* Strings from the document are tenant-controlled: the JSON writer escapes
 * control characters and refuses invalid UTF-8, so a record is always one
 * line.  A string it cannot write is replaced by a hex rendering.  Longer
 * than AUDIT_VALUE_MAX: cut, with "...[+N bytes]" saying how much is gone. */
static struct json_value *
safe_string (const char *s)
{
  cleanup_free char *cut = NULL;
  cleanup_free char *esc = NULL;
  size_t len = s ? strlen (s) : 0;

  if (len > AUDIT_VALUE_MAX)
    {
      size_t keep = utf8_cut (s, AUDIT_VALUE_MAX);
      xasprintf (&cut, "%.*s...[+%zu bytes]", (int) keep, s, len - keep);
      s = cut;
    }
  esc = json_escape_for_log (s);
  return json_new_string (esc);
}

static struct json_value *
finding_to_json (const struct finding *f)
{
  struct json_value *o = json_new_object ();
  json_set (o, "rule", json_new_string (f->rule));
  json_set (o, "path", safe_string (f->path));
  json_set (o, "action", json_new_string (action_name (f->action)));
  json_set (o, "message", safe_string (f->message));
  if (f->before)
    json_set (o, "before", safe_string (f->before));
  if (f->after)
    json_set (o, "after", safe_string (f->after));
  if (f->exempted)
    json_set (o, "exempted", json_new_bool (true));
  return o;
}

void
audit_describe (const char *engine, const char *image)
{
  free (described_engine);
  free (described_image);
  described_engine = engine ? xstrdup (engine) : NULL;
  described_image = image ? xstrdup (image) : NULL;
}

static char *
write_value (const struct json_value *v, size_t *len)
{
  char *out = NULL;
  secshim_error_t err = NULL;
  if (json_write (v, &out, len, &err) < 0)
    {
      secshim_error_release (&err);
      return NULL;
    }
  return out;
}

/* Every field but the findings. */
static struct json_value *
record_head (const struct audit_event *ev)
{
  struct json_value *rec = json_new_object ();
  char now[40];
  char host[256] = "";

  rfc3339_now (now);
  json_set (rec, "schemaVersion", json_new_u64 (AUDIT_SCHEMA_VERSION));
  set_str (rec, "time", now);
  if (gethostname (host, sizeof host - 1) == 0 && host[0])
    json_set (rec, "host", safe_string (host));
  set_str (rec, "verb", ev->verb);
  if (ev->container_id)
    json_set (rec, "id", safe_string (ev->container_id));
  if (ev->bundle)
    json_set (rec, "bundle", safe_string (ev->bundle));
  if (described_engine)
    set_str (rec, "engine", described_engine);
  if (described_image)
    json_set (rec, "image", safe_string (described_image));
  set_str (rec, "policy", ev->policy ? ev->policy->path : ev->policy_path);
  if (ev->policy)
    set_str (rec, "policySha256", ev->policy->sha256);
  set_str (rec, "outcome", ev->outcome);
  if (ev->error)
    json_set (rec, "error", safe_string (ev->error));
  return rec;
}

/* The findings, in order, while they fit in what the line has left; the
 * rest are counted in "findingsOmitted".  Each finding is written once to
 * measure it: linear in the record's size. */
static char *
build_record (const struct audit_event *ev)
{
  cleanup_with (json_free) struct json_value *rec = record_head (ev);
  struct json_value *arr = json_new_array ();
  cleanup_free char *head = NULL;
  size_t len = 0, used, i, omitted = 0, n = ev->findings ? ev->findings->n : 0;

  head = write_value (rec, &len);
  if (head == NULL)
    {
      json_free (arr);
      return NULL;
    }
  /* room for ,"findings":[],"findingsOmitted":NNNNNNNNNNNNNNNNNNNN */
  used = len + 64;
  for (i = 0; i < n; i++)
    {
      cleanup_with (json_free) struct json_value *o = finding_to_json (&ev->findings->v[i]);
      cleanup_free char *one = NULL;
      size_t one_len = 0;
      if (omitted == 0 && (one = write_value (o, &one_len)) != NULL && used + one_len + 1 <= AUDIT_LINE_MAX)
        {
          used += one_len + 1;
          json_array_append (arr, steal_pointer (&o));
        }
      else
        omitted++;
    }
  json_set (rec, "findings", arr);
  if (omitted)
    json_set (rec, "findingsOmitted", json_new_u64 (omitted));
  return write_value (rec, &len);
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
  size_t len;

  if (log == NULL && !(ev->policy && ev->policy->audit_syslog))
    return 0;
  line = build_record (ev);
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
  (void) mkdir_parent (log);
  fd = open (log, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return secshim_make_error (err, errno, "audit: open `%s`", log);
  len = strlen (line);
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
  char now[40];
  char *line = NULL;
  rfc3339_now (now);
  if (format && strcmp (format, "json") == 0)
    {
      cleanup_with (json_free) struct json_value *o = json_new_object ();
      secshim_error_t err = NULL;
      size_t len;
      json_set (o, "level", json_new_string (level));
      json_set (o, "msg", safe_string (msg));
      json_set (o, "time", json_new_string (now));
      if (json_write (o, &line, &len, &err) < 0)
        {
          secshim_error_release (&err);
          return NULL;
        }
      return line;
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
