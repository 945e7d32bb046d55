/* The decision's JSON line (src/audit/audit.c, audit_json_line): byte for
 * byte what the tree and json_write it replaced wrote, on fixed cases and
 * on random events (control characters, quotes, every UTF-8 length,
 * invalid bytes, values around the 512-byte cut, findings past the 8 KiB
 * line), then the fields the schema promises. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "secshim/audit.h"
#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/policy.h"
#include "secshim/util.h"
#include "tap.h"

/* ---- the reference: the record as a tree, serialised by json_write ---- */

static const char *ref_engine, *ref_image;

static size_t
ref_utf8_cut (const char *s, size_t max)
{
  size_t n = max;
  while (n > 0 && ((unsigned char) s[n] >> 6) == 2)
    n--;
  return n;
}

static struct json_value *
ref_safe_string (const char *s)
{
  cleanup_free char *cut = NULL;
  cleanup_free char *esc = NULL;
  size_t len = s ? strlen (s) : 0;
  if (len > 512)
    {
      size_t keep = ref_utf8_cut (s, 512);
      xasprintf (&cut, "%.*s...[+%zu bytes]", (int) keep, s, len - keep);
      s = cut;
    }
  esc = json_escape_for_log (s);
  return json_new_string (esc);
}

static void
ref_set_str (struct json_value *o, const char *key, const char *val)
{
  if (val)
    json_set (o, key, json_new_string (val));
}

static char *
ref_write (const struct json_value *v, size_t *len)
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

static char *
ref_line (const struct audit_event *ev, const char *now, const char *host)
{
  struct json_value *rec = json_new_object ();
  struct json_value *arr = json_new_array ();
  char *head, *line;
  size_t len = 0, used, omitted = 0, n = ev->findings ? ev->findings->n : 0;

  json_set (rec, "schemaVersion", json_new_u64 (2));
  ref_set_str (rec, "time", now);
  if (host)
    json_set (rec, "host", ref_safe_string (host));
  ref_set_str (rec, "verb", ev->verb);
  if (ev->container_id)
    json_set (rec, "id", ref_safe_string (ev->container_id));
  if (ev->bundle)
    json_set (rec, "bundle", ref_safe_string (ev->bundle));
  ref_set_str (rec, "engine", ref_engine);
  if (ref_image)
    json_set (rec, "image", ref_safe_string (ref_image));
  ref_set_str (rec, "policy", ev->policy ? ev->policy->path : ev->policy_path);
  if (ev->policy)
    ref_set_str (rec, "policySha256", ev->policy->sha256);
  ref_set_str (rec, "outcome", ev->outcome);
  if (ev->error)
    json_set (rec, "error", ref_safe_string (ev->error));
  head = ref_write (rec, &len);
  if (head == NULL)
    {
      json_free (rec);
      json_free (arr);
      return NULL;
    }
  free (head);
  used = len + 64;
  for (size_t i = 0; i < n; i++)
    {
      const struct finding *f = &ev->findings->v[i];
      struct json_value *o = json_new_object ();
      char *one = NULL;
      size_t one_len = 0;
      json_set (o, "rule", json_new_string (f->rule));
      json_set (o, "path", ref_safe_string (f->path));
      json_set (o, "action", json_new_string (action_name (f->action)));
      json_set (o, "message", ref_safe_string (f->message));
      if (f->before)
        json_set (o, "before", ref_safe_string (f->before));
      if (f->after)
        json_set (o, "after", ref_safe_string (f->after));
      if (f->exempted)
        json_set (o, "exempted", json_new_bool (true));
      if (omitted == 0 && (one = ref_write (o, &one_len)) != NULL && used + one_len + 1 <= 8192)
        {
          used += one_len + 1;
          json_array_append (arr, o);
        }
      else
        {
          omitted++;
          json_free (o);
        }
      free (one);
    }
  json_set (rec, "findings", arr);
  if (omitted)
    json_set (rec, "findingsOmitted", json_new_u64 (omitted));
  line = ref_write (rec, &len);
  json_free (rec);
  return line;
}

/* ---- random events ---- */

static unsigned long long rng = 0x9e3779b97f4a7c15ull;

static unsigned
rnd (unsigned n)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned) (rng % n);
}

/* A string of about len bytes: mostly printable ASCII, with quotes,
 * backslashes, control characters, UTF-8 of every length, and (when
 * invalid) stray bytes that are not UTF-8. */
static char *
rnd_string (size_t len, bool invalid)
{
  static const char *const pieces[] = { "\"", "\\", "\n", "\t", "\x01", "\x1f", "\x7f", "/", "é", "€", "𝄞", "ſ" };
  static const char *const bad[] = { "\x80", "\xc3", "\xff", "\xf8", "\xe2\x82", "\xf0\x9d\x84", "\xc3(" };
  char *s = xmalloc (len + 8);
  size_t n = 0;
  while (n < len)
    {
      unsigned k = rnd (100);
      const char *p;
      if (invalid && k < 3)
        p = bad[rnd (sizeof bad / sizeof *bad)];
      else if (k < 15)
        p = pieces[rnd (sizeof pieces / sizeof *pieces)];
      else
        {
          s[n++] = (char) (0x20 + rnd (0x5f));
          continue;
        }
      memcpy (s + n, p, strlen (p));
      n += strlen (p);
    }
  s[n] = '\0';
  return s;
}

static size_t
rnd_len (void)
{
  switch (rnd (5))
    {
    case 0:
      return rnd (8);
    case 1:
      return 500 + rnd (30); /* around the cut */
    case 2:
      return 513 + rnd (1500);
    default:
      return rnd (120);
    }
}

struct owned
{
  char *v[1024];
  size_t n;
};

static char *
keep (struct owned *o, char *s)
{
  o->v[o->n++] = s;
  return s;
}

static const char *const rules[] = { "user", "capabilities", "mounts", "seccomp", "resources" };

struct coverage
{
  unsigned nulls, omitted, cut, hex;
};

static bool
random_case (unsigned round, struct coverage *cov)
{
  struct owned own = { .n = 0 };
  struct finding fs[120];
  struct findings f = { .v = fs };
  struct policy *p = NULL;
  struct audit_event ev = { .verb = "create", .outcome = "rewritten" };
  bool rare = rnd (20) == 0; /* a value secshim writes as it is, not UTF-8 */
  const char *host = rnd (4) ? "node1" : NULL;
  char *got, *want;
  size_t len = 0;
  bool same;

  f.n = rnd (4) == 0 ? rnd (120) : rnd (16);
  for (size_t i = 0; i < f.n; i++)
    {
      fs[i] = (struct finding){ .rule = rules[rnd (5)],
                                .path = keep (&own, rnd_string (rnd (40), true)),
                                .action = (enum action) rnd (4),
                                .message = rnd (30) ? keep (&own, rnd_string (rnd_len (), true)) : NULL,
                                .before = rnd (2) ? keep (&own, rnd_string (rnd_len (), true)) : NULL,
                                .after = rnd (2) ? keep (&own, rnd_string (rnd_len (), true)) : NULL,
                                .exempted = rnd (5) == 0 };
      if (rare && rnd (8) == 0)
        fs[i].rule = keep (&own, rnd_string (6, true));
    }
  ev.findings = rnd (10) ? &f : NULL;
  ev.container_id = rnd (5) ? keep (&own, rnd_string (rnd_len (), true)) : NULL;
  ev.bundle = rnd (5) ? keep (&own, rnd_string (rnd_len (), true)) : NULL;
  ev.error = rnd (3) == 0 ? keep (&own, rnd_string (rnd_len (), true)) : NULL;
  if (rnd (4))
    {
      p = xzalloc (sizeof *p);
      p->path = keep (&own, rare ? rnd_string (20, true) : xstrdup ("/etc/secshim/default.json"));
      memset (p->sha256, 'a' + (int) rnd (6), 64);
      ev.policy = p;
    }
  else
    ev.policy_path = rnd (2) ? "/etc/secshim/x.json" : NULL;
  if (rare && rnd (2))
    ev.verb = keep (&own, rnd_string (8, true));
  ref_engine = rnd (3) ? "docker" : NULL;
  ref_image = rnd (3) ? keep (&own, rnd_string (rnd_len (), true)) : NULL;
  audit_describe (ref_engine, ref_image);

  got = audit_json_line (&ev, "2026-12-08T00:00:00.000001Z", host, &len);
  want = ref_line (&ev, "2026-12-08T00:00:00.000001Z", host);
  same = (got == NULL && want == NULL) || (got && want && strcmp (got, want) == 0 && len == strlen (got));
  cov->nulls += want == NULL;
  cov->omitted += want && strstr (want, "\"findingsOmitted\":") != NULL;
  cov->cut += want && strstr (want, " bytes]\"") != NULL;
  cov->hex += want && strstr (want, "\\\\x") != NULL;
  if (!same)
    tap_diag ("round %u:\n# got  %s\n# want %s", round, got ? got : "(null)", want ? want : "(null)");
  free (got);
  free (want);
  free (p);
  for (size_t i = 0; i < own.n; i++)
    free (own.v[i]);
  return same;
}

static void
test_random (void)
{
  struct coverage cov = { 0 };
  unsigned i, failed = 0;
  for (i = 0; i < 4000 && failed < 3; i++)
    if (!random_case (i, &cov))
      failed++;
  tap_check (failed == 0, "4000 random events: the line is json_write's byte for byte (%u differ)", failed);
  tap_check (cov.nulls > 0 && cov.omitted > 0 && cov.cut > 0 && cov.hex > 0,
             "the random events reach every path: no line %u, findings omitted %u, cut %u, \\xHH %u", cov.nulls,
             cov.omitted, cov.cut, cov.hex);
}

/* The writer copies raw bytes sixteen or eight at a time and reads a short
 * tail as the string's last eight bytes, shifted: one byte that is not
 * raw (or its raw neighbours) at every position of strings of 1..40 bytes,
 * after a first one at every position too, as the reference writes them. */
static void
test_every_position (void)
{
  static const unsigned char bytes[] = { '"', '\\', 0x01, 0x1f, 0x20, 0x21, 0x7e, 0x7f, 0x80, 0xc3, 0xff };
  unsigned bad = 0, n = 0;
  ref_engine = "docker";
  ref_image = NULL;
  audit_describe (ref_engine, ref_image);
  for (size_t len = 1; len <= 40; len++)
    for (size_t first = 0; first <= len; first++)
      for (size_t pos = 0; pos < len; pos++)
        for (size_t b = 0; b < sizeof bytes; b++, n++)
          {
            char s[48];
            struct audit_event ev = { .verb = "create", .outcome = "allowed", .container_id = s };
            memset (s, 'x', len);
            s[len] = '\0';
            if (first < len)
              s[first] = '\\';
            s[pos] = (char) bytes[b];
            char *got = audit_json_line (&ev, "T", NULL, &(size_t){ 0 });
            char *want = ref_line (&ev, "T", NULL);
            if ((got == NULL) != (want == NULL) || (got && strcmp (got, want) != 0))
              if (bad++ < 3)
                tap_diag ("len %zu pos %zu byte %02x:\n# got  %s\n# want %s", len, pos, bytes[b], got ? got : "(null)",
                          want ? want : "(null)");
            free (got);
            free (want);
          }
  audit_describe (NULL, NULL);
  tap_check (bad == 0, "every byte class at every position of 1..40-byte strings: %u of %u differ", bad, n);
}

/* ---- fixed cases ---- */

static void
test_fixed (void)
{
  char big[700], *line;
  size_t len;
  struct finding fs[200];
  struct findings f = { .v = fs, .n = 0 };
  struct audit_event ev = { .verb = "create",
                            .container_id = "c\"1\x01",
                            .policy_path = "/etc/secshim/p.json",
                            .findings = &f,
                            .outcome = "refused",
                            .error = "bad \xff byte" };

  audit_describe ("podman", NULL);
  line = audit_json_line (&ev, "T", NULL, &len);
  tap_check (line
                 && strcmp (line, "{\"schemaVersion\":2,\"time\":\"T\",\"verb\":\"create\",\"id\":\"c\\\"1\\u0001\","
                                  "\"engine\":\"podman\",\"policy\":\"/etc/secshim/p.json\",\"outcome\":\"refused\","
                                  "\"error\":\"bad \\\\xff byte\",\"findings\":[]}")
                        == 0,
             "head: escapes, an invalid byte as \\xHH text, no host, empty findings");
  if (line)
    tap_diag ("%s", line);
  free (line);

  memset (big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  memcpy (big + 511, "é", 2); /* a character across the cut */
  for (size_t i = 0; i < 200; i++)
    fs[i] = (struct finding){ .rule = "mounts", .path = "mounts[0]", .action = ACTION_REJECT, .message = big };
  f.n = 200;
  ev.error = NULL;
  line = audit_json_line (&ev, "T", "h", &len);
  tap_check (line && strstr (line, "\"message\":\"") && strstr (line, "a...[+188 bytes]\"") && !strstr (line, "\xc3...")
                 && len <= 8191 && strstr (line, ",\"findingsOmitted\":") && line[len - 1] == '}',
             "cut before a character that crosses 512 bytes, findings past 8 KiB counted, line <= 8191 + newline");
  free (line);

  ev.verb = "cr\xc3"; /* not UTF-8: json_write refused the record */
  line = audit_json_line (&ev, "T", "h", &len);
  tap_check (line == NULL, "a verb that is not UTF-8: no line (the caller reports an error)");
  free (line);
  audit_describe (NULL, NULL);
}

/* ---- the time field ---- */

static void
ref_time (int64_t sec, long nsec, char *buf, size_t size)
{
  struct tm tm;
  time_t t = (time_t) sec;
  size_t n;
  gmtime_r (&t, &tm);
  n = strftime (buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, size - n, ".%06uZ", (unsigned) (nsec / 1000) % 1000000u);
}

static void
test_time (void)
{
  static const int64_t edges[] = {
    0,          59,         86399,        86400,        951782399,  951782400,  951868799, /* 2000-02-29 */
    978307199,  1709164800, 2147483647,   2147483648,   4107542399, 4107542400,            /* 2100-02-28/03-01 */
    4102444800, 1796688000, 253402300799, 253402300800, -1,         -86401,     32503680000,
  };
  unsigned bad = 0, n = 0;
  char got[AUDIT_TIME_MAX], want[AUDIT_TIME_MAX];

  for (size_t i = 0; i < sizeof edges / sizeof *edges; i++, n++)
    {
      audit_format_time (edges[i], 123456789, got);
      ref_time (edges[i], 123456789, want, sizeof want);
      if (strcmp (got, want) != 0 && bad++ < 3)
        tap_diag ("%lld: got %s want %s", (long long) edges[i], got, want);
    }
  for (unsigned i = 0; i < 200000; i++, n++)
    {
      int64_t sec = (int64_t) (((uint64_t) rnd (1u << 30) << 8 | rnd (256)) % 253402300800ull);
      long nsec = (long) rnd (1000000000);
      audit_format_time (sec, nsec, got);
      ref_time (sec, nsec, want, sizeof want);
      if (strcmp (got, want) != 0 && bad++ < 3)
        tap_diag ("%lld: got %s want %s", (long long) sec, got, want);
    }
  tap_check (bad == 0, "time: as gmtime_r and strftime give it, on %u instants 1970 to 9999 and beyond (%u differ)", n,
             bad);
  audit_format_time (1796688000, 5000, got);
  tap_check (strcmp (got, "2026-12-08T00:00:00.000005Z") == 0, "time: 2026-12-08T00:00:00.000005Z (%s)", got);
}

int
main (void)
{
  test_time ();
  test_fixed ();
  test_random ();
  test_every_position ();
  return tap_done ();
}
