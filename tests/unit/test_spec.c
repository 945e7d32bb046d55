/* Unit tests for spec_normalize (include/secshim/spec.h): Go-fold
 * duplicates and misspellings, types and integer ranges as encoding/json
 * decodes them, null handling, unknown fields, the three document kinds,
 * the real engine fixtures, and the schema table itself.
 * Run from the repository top. */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secshim/cleanup.h"
#include "secshim/json.h"
#include "secshim/spec.h"
#include "secshim/util.h"
#include "tap.h"

#include "../../src/spec/schema.h"

static struct json_value *
parse_ok (const char *text, size_t len)
{
  secshim_error_t err = NULL;
  struct json_value *v = NULL;
  if (json_parse (text, len, NULL, &v, &err) < 0)
    {
      tap_diag ("loader refused: %s", err->msg);
      secshim_error_release (&err);
      return NULL;
    }
  return v;
}

/* spec_normalize's message for text, NULL if accepted; "(unparsed)" if the
 * loader already refused it. */
static char *
normalize_error (const char *text, size_t len, enum spec_kind kind, struct json_value **doc_out)
{
  secshim_error_t err = NULL;
  struct json_value *doc = parse_ok (text, len);
  char *msg = NULL;
  if (doc == NULL)
    return xstrdup ("(unparsed)");
  if (spec_normalize (doc, kind, &err) < 0)
    {
      msg = xstrdup (err->status == SECSHIM_EINPUT ? err->msg : "wrong status");
      secshim_error_release (&err);
    }
  if (doc_out)
    *doc_out = doc;
  else
    json_free (doc);
  return msg;
}

static void
refused_kind (const char *name, const char *text, size_t len, enum spec_kind kind, const char *want1, const char *want2)
{
  cleanup_free char *m = normalize_error (text, len, kind, NULL);
  TAP_CHECK (m && strcmp (m, "(unparsed)") != 0 && strstr (m, want1) && (want2 == NULL || strstr (m, want2)),
             "%s refused: %s", name, m ? m : "(accepted)");
}

#define REFUSED_K(name, lit, kind, want1, want2) refused_kind (name, lit, sizeof (lit) - 1, kind, want1, want2)
#define REFUSED(name, lit, want1, want2) REFUSED_K (name, lit, SPEC_CONFIG, want1, want2)

static void
accepted_kind (const char *name, const char *text, enum spec_kind kind)
{
  cleanup_free char *m = normalize_error (text, strlen (text), kind, NULL);
  TAP_CHECK (m == NULL, "%s accepted%s%s", name, m ? ": " : "", m ? m : "");
}

#define ACCEPTED(name, text) accepted_kind (name, text, SPEC_CONFIG)

static char *
write_text (const struct json_value *v)
{
  secshim_error_t err = NULL;
  char *out = NULL;
  size_t len;
  if (json_write (v, &out, &len, &err) < 0)
    secshim_error_release (&err);
  return out;
}

/* ---- folding ---- */

/* Accepted, and the canonical text is exactly want: Go's decoder reads a
 * key that folds onto a field as that field, and a second key for the same
 * field into it (objects merge, the later scalar or array wins). */
static void
folded (const char *name, const char *text, enum spec_kind kind, const char *want)
{
  struct json_value *doc = NULL;
  cleanup_free char *m = normalize_error (text, strlen (text), kind, &doc);
  cleanup_free char *out = doc && m == NULL ? write_text (doc) : NULL;
  TAP_CHECK (m == NULL && out && strcmp (out, want) == 0, "%s: read as Go reads it: %s", name,
             m     ? m
             : out ? out
                   : "(nothing)");
  json_free (doc);
}

static void
test_folding (void)
{
  folded ("fold duplicate uid/UID: the later wins", "{\"process\":{\"user\":{\"uid\":1000,\"UID\":0}}}", SPEC_CONFIG,
          "{\"process\":{\"user\":{\"uid\":0}}}");
  folded ("misspelled UID alone is uid", "{\"process\":{\"user\":{\"UID\":0}}}", SPEC_CONFIG,
          "{\"process\":{\"user\":{\"uid\":0}}}");
  folded (
      "cpu and CPU merge (runc's update.bats)",
      "{\"linux\":{\"resources\":{\"cpu\":{\"shares\":2,\"cpus\":\"0-1\"},\"CPU\":{\"Cpus\":\"0\",\"Mems\":\"0\"}}}}",
      SPEC_CONFIG, "{\"linux\":{\"resources\":{\"cpu\":{\"shares\":2,\"cpus\":\"0\",\"mems\":\"0\"}}}}");
  folded ("array replaced by a folded duplicate", "{\"process\":{\"args\":[\"a\"],\"ARGS\":[\"b\"]}}", SPEC_CONFIG,
          "{\"process\":{\"args\":[\"b\"]}}");
  folded ("boolean replaced", "{\"process\":{\"noNewPrivileges\":true,\"NoNewPrivileges\":false}}", SPEC_CONFIG,
          "{\"process\":{\"noNewPrivileges\":false}}");
  REFUSED ("\\u017Feccomp next to seccomp (a null)",
           "{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"},\"\\u017Feccomp\":null}}",
           "linux: keys `seccomp` and `\xc5\xbf"
           "eccomp`",
           NULL);
  REFUSED ("fold duplicate changing type", "{\"process\":{\"user\":{\"uid\":1000,\"UID\":\"0\"}}}",
           "process.user: keys `uid` and `UID`", NULL);
  REFUSED ("fold duplicate maps", "{\"annotations\":{\"a\":\"1\"},\"Annotations\":{\"b\":\"2\"}}",
           "keys `annotations` and `Annotations`", NULL);
  folded ("raw \xc5\xbf"
          "eccomp alone is seccomp (null: absent)",
          "{\"linux\":{\"\xc5\xbf"
          "eccomp\":null}}",
          SPEC_CONFIG, "{\"linux\":{}}");
  folded ("hoo\\u212As escaped is hooks", "{\"hoo\\u212As\":{\"createRuntime\":[{\"path\":\"/tmp/x\"}]}}", SPEC_CONFIG,
          "{\"hooks\":{\"createRuntime\":[{\"path\":\"/tmp/x\"}]}}");
  folded ("PROCESS is process", "{\"PROCESS\":{\"User\":{\"UID\":0}}}", SPEC_CONFIG,
          "{\"process\":{\"user\":{\"uid\":0}}}");
  folded ("masKedPaths with Kelvin is maskedPaths",
          "{\"linux\":{\"mas\xe2\x84\xaa"
          "edPaths\":[]}}",
          SPEC_CONFIG, "{\"linux\":{\"maskedPaths\":[]}}");
  folded ("fold duplicate inside an array element",
          "{\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"/b\",\"Destination\":\"/etc\"}]}", SPEC_CONFIG,
          "{\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"/etc\"}]}");
  folded ("fold misspelling inside a map of structs", "{\"linux\":{\"netDevices\":{\"eth0\":{\"NAME\":\"x\"}}}}",
          SPEC_CONFIG, "{\"linux\":{\"netDevices\":{\"eth0\":{\"name\":\"x\"}}}}");
  REFUSED ("fold duplicate of unknown keys in a struct", "{\"foo\":1,\"FOO\":2}", "top level: keys", "`FOO`");
  ACCEPTED ("map keys compare exactly (annotations a/A)",
            "{\"annotations\":{\"a\":\"1\",\"A\":\"2\"},\"linux\":{\"sysctl\":{\"net.x\":\"1\",\"NET.X\":\"2\"}}}");
  ACCEPTED ("escaped exact key (host\\u006eame)", "{\"host\\u006eame\":\"h\"}");
}

/* ---- types and numbers ---- */

static void
test_types (void)
{
  REFUSED ("uid 4294967296", "{\"process\":{\"user\":{\"uid\":4294967296}}}",
           "process.user.uid: 4294967296 is out of range for uint32", NULL);
  REFUSED ("uid -1", "{\"process\":{\"user\":{\"uid\":-1}}}", "process.user.uid: -1 is not a valid uint32", NULL);
  REFUSED ("uid -0", "{\"process\":{\"user\":{\"uid\":-0}}}", "process.user.uid: -0 is not a valid uint32", NULL);
  REFUSED ("uid 1e3", "{\"process\":{\"user\":{\"uid\":1e3}}}", "process.user.uid: 1e3 is not a valid uint32", NULL);
  REFUSED ("uid 1.0", "{\"process\":{\"user\":{\"uid\":1.0}}}", "process.user.uid: 1.0 is not a valid uint32", NULL);
  REFUSED ("uid as string", "{\"process\":{\"user\":{\"uid\":\"0\"}}}", "process.user.uid: expected uint32, got string",
           NULL);
  REFUSED ("readonly \"true\"", "{\"root\":{\"path\":\"rootfs\",\"readonly\":\"true\"}}",
           "root.readonly: expected bool, got string", NULL);
  REFUSED ("noNewPrivileges 1", "{\"process\":{\"noNewPrivileges\":1}}",
           "process.noNewPrivileges: expected bool, got number", NULL);
  REFUSED ("process as array", "{\"process\":[]}", "process: expected object, got array", NULL);
  REFUSED ("args as string", "{\"process\":{\"args\":\"sh\"}}", "process.args: expected array, got string", NULL);
  REFUSED ("additionalGids element", "{\"process\":{\"user\":{\"additionalGids\":[1,4294967296]}}}",
           "process.user.additionalGids[1]: 4294967296 is out of range for uint32", NULL);
  REFUSED ("annotations value number", "{\"annotations\":{\"a\":1}}", "annotations.a: expected string, got number",
           NULL);
  REFUSED ("odd annotation key is bracketed", "{\"annotations\":{\"com.example/x\":true}}",
           "annotations[\"com.example/x\"]: expected string, got bool", NULL);
  REFUSED ("deep path",
           "{\"linux\":{\"seccomp\":{\"defaultAction\":\"x\",\"syscalls\":[{\"names\":[\"a\"],"
           "\"action\":\"b\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},{\"index\":-1}]}]}}}",
           "linux.seccomp.syscalls[0].args[1].index: -1 is not a valid uint64", NULL);
  REFUSED ("memory.limit beyond int64", "{\"linux\":{\"resources\":{\"memory\":{\"limit\":9223372036854775808}}}}",
           "linux.resources.memory.limit: 9223372036854775808 is out of range for int64", NULL);
  REFUSED ("blockIO weight beyond uint16", "{\"linux\":{\"resources\":{\"blockIO\":{\"weight\":65536}}}}",
           "linux.resources.blockIO.weight: 65536 is out of range for uint16", NULL);
  REFUSED ("scheduler nice beyond int32",
           "{\"process\":{\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"nice\":-2147483649}}}",
           "process.scheduler.nice: -2147483649 is out of range for int32", NULL);
  REFUSED ("mount uidMappings hostID", "{\"mounts\":[{\"destination\":\"/x\",\"uidMappings\":[{\"hostID\":-5}]}]}",
           "mounts[0].uidMappings[0].hostID: -5 is not a valid uint32", NULL);
  REFUSED ("hook timeout as string", "{\"hooks\":{\"createContainer\":[{\"path\":\"/bin/true\",\"timeout\":\"5\"}]}}",
           "hooks.createContainer[0].timeout: expected int64, got string", NULL);
  REFUSED ("execCPUAffinity.initial number", "{\"process\":{\"execCPUAffinity\":{\"initial\":1}}}",
           "process.execCPUAffinity.initial: expected string, got number", NULL);
  REFUSED ("device fileMode negative", "{\"linux\":{\"devices\":[{\"path\":\"/dev/x\",\"fileMode\":-1}]}}",
           "linux.devices[0].fileMode: -1 is not a valid uint32", NULL);
  REFUSED ("sysctl value object", "{\"linux\":{\"sysctl\":{\"k\":{}}}}", "linux.sysctl.k: expected string, got object",
           NULL);
  REFUSED ("timeOffsets value not an object", "{\"linux\":{\"timeOffsets\":{\"monotonic\":5}}}",
           "linux.timeOffsets.monotonic: expected object, got number", NULL);

  ACCEPTED ("int64 edges and -0",
            "{\"process\":{\"oomScoreAdj\":-1000},\"linux\":{\"resources\":{\"memory\":{\"limit\":-1,\"swap\":-0,"
            "\"reservation\":9223372036854775807},\"cpu\":{\"quota\":-9223372036854775808}}}}");
  ACCEPTED (
      "uint64 max in a seccomp arg",
      "{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"syscalls\":[{\"names\":"
      "[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"errnoRet\":38,\"args\":[{\"index\":0,\"value\":"
      "18446744073709551615,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}}}");
  ACCEPTED (
      "v1.2/v1.3 fields",
      "{\"domainname\":\"d\",\"process\":{\"scheduler\":{\"policy\":\"SCHED_FIFO\",\"priority\":5,\"flags\":[]},"
      "\"ioPriority\":{\"class\":\"IOPRIO_CLASS_RT\",\"priority\":1},\"execCPUAffinity\":{\"initial\":\"0\","
      "\"final\":\"1\"}},\"linux\":{\"timeOffsets\":{\"monotonic\":{\"secs\":-1,\"nanosecs\":2}},\"netDevices\":"
      "{\"eth0\":{\"name\":\"x\"}},\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"0\",\"flags\":[]},"
      "\"intelRdt\":{\"closID\":\"c\",\"schemata\":[\"L3:0=f\"],\"enableMonitoring\":true},\"seccomp\":{"
      "\"defaultAction\":\"SCMP_ACT_ERRNO\",\"listenerPath\":\"/run/l\",\"listenerMetadata\":\"m\",\"flags\":"
      "[\"SECCOMP_FILTER_FLAG_LOG\"]}},\"hooks\":{\"createRuntime\":[],\"createContainer\":[],\"startContainer\":"
      "[]},\"mounts\":[{\"destination\":\"/m\",\"gidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]}]}");
  ACCEPTED ("windows credentialSpec is interface{}", "{\"windows\":{\"credentialSpec\":[1,{\"x\":null}]}}");
}

/* ---- null ---- */

static void
test_null (void)
{
  REFUSED ("null array element", "{\"process\":{\"args\":[\"sh\",null]}}", "process.args[1]: null element in array",
           NULL);
  REFUSED ("null mount", "{\"mounts\":[{\"destination\":\"/a\"},null]}", "mounts[1]: null element in array", NULL);
  REFUSED ("null map value", "{\"annotations\":{\"a\":null}}", "annotations.a: null map value", NULL);
  REFUSED ("null config", "null", "top level: expected object", NULL);

  const char *text = "{\"ociVersion\":\"1.0.2\",\"linux\":{\"seccomp\":null,\"maskedPaths\":null},"
                     "\"process\":{\"user\":{\"uid\":null,\"gid\":5},\"apparmorProfile\":null},\"x-null\":null}";
  struct json_value *doc = NULL;
  cleanup_free char *m = normalize_error (text, strlen (text), SPEC_CONFIG, &doc);
  TAP_CHECK (m == NULL, "null-valued known fields accepted%s%s", m ? ": " : "", m ? m : "");
  cleanup_free char *out = doc ? write_text (doc) : NULL;
  TAP_CHECK (out
                 && strcmp (out, "{\"ociVersion\":\"1.0.2\",\"linux\":{},\"process\":{\"user\":{\"gid\":5}},"
                                 "\"x-null\":null}")
                        == 0,
             "known nulls removed, unknown null kept: %s", out ? out : "");
  TAP_CHECK (doc && json_get_path (doc, "linux.seccomp") == NULL && json_get_path (doc, "process.user.uid") == NULL,
             "seccomp:null and uid:null read as absent");
  json_free (doc);
}

/* ---- unknown fields and lexemes ---- */

static void
test_unknown_fields (void)
{
  const char *text = "{\"ociVersion\":\"1.0.2\",\"x-vendor\":{\"deep\":[1,{\"a\":1e3,\"A\":null}]},"
                     "\"linux\":{\"futureField\":{\"k\":18446744073709551615}},\"process\":{\"user\":{\"uid\":0},"
                     "\"newThing\":true,\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551615,"
                     "\"soft\":1024}]}}";
  struct json_value *doc = NULL;
  cleanup_free char *m = normalize_error (text, strlen (text), SPEC_CONFIG, &doc);
  TAP_CHECK (m == NULL, "unknown fields accepted%s%s", m ? ": " : "", m ? m : "");
  cleanup_free char *out = doc ? write_text (doc) : NULL;
  TAP_CHECK (out && strcmp (out, text) == 0, "unknown fields and lexemes (1e3, 2^64-1) survive byte for byte: %s",
             out ? out : "");
  json_free (doc);
}

/* ---- document kinds ---- */

static void
test_kinds (void)
{
  REFUSED_K ("process.json uid as string", "{\"user\":{\"uid\":\"0\"}}", SPEC_PROCESS,
             "user.uid: expected uint32, got string", NULL);
  folded ("process.json Capabilities is capabilities", "{\"Capabilities\":{}}", SPEC_PROCESS, "{\"capabilities\":{}}");
  accepted_kind ("process.json minimal", "{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"true\"],\"cwd\":\"/\"}",
                 SPEC_PROCESS);
  accepted_kind ("resources document",
                 "{\"memory\":{\"limit\":1024},\"unified\":{\"memory.max\":\"1G\"},"
                 "\"rdma\":{\"mlx\":{\"hcaHandles\":1}}}",
                 SPEC_RESOURCES);
  REFUSED_K ("resources pids.limit string", "{\"pids\":{\"limit\":\"x\"}}", SPEC_RESOURCES,
             "pids.limit: expected int64, got string", NULL);
  REFUSED_K ("resources rdma hcaHandles -1", "{\"rdma\":{\"mlx\":{\"hcaHandles\":-1}}}", SPEC_RESOURCES,
             "rdma.mlx.hcaHandles: -1 is not a valid uint32", NULL);
  REFUSED_K ("process.json as array", "[]", SPEC_PROCESS, "top level: expected object (Process), got array", NULL);
}

/* ---- fixtures ---- */

static int
read_file (const char *path, char **buf, size_t *len)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  return read_all_fd (fd, JSON_DEFAULT_MAX_BYTES, buf, len);
}

static void
test_fixture (const char *path, enum spec_kind kind)
{
  cleanup_free char *buf = NULL;
  size_t len = 0;
  secshim_error_t err = NULL;
  if (read_file (path, &buf, &len) < 0)
    {
      TAP_CHECK (0, "read %s", path);
      return;
    }
  cleanup_with (json_free) struct json_value *doc = parse_ok (buf, len);
  cleanup_with (json_free) struct json_value *orig = doc ? json_clone (doc) : NULL;
  int r = doc ? spec_normalize (doc, kind, &err) : -1;
  TAP_CHECK (r == 0 && json_equal (doc, orig), "%s normalizes unchanged%s%s", path, err ? ": " : "",
             err ? err->msg : "");
  secshim_error_release (&err);
}

static void
test_fixtures (void)
{
  static const char *const subdirs[] = { "docker-20.10", "podman-4.3" };
  const char *top = getenv ("SECSHIM_FIXTURES") ? getenv ("SECSHIM_FIXTURES") : "tests/fixtures";
  int seen = 0;
  for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++)
    {
      cleanup_free char *dir = NULL;
      xasprintf (&dir, "%s/%s", top, subdirs[i]);
      cleanup_dir DIR *d = opendir (dir);
      if (d == NULL)
        continue;
      struct dirent *de;
      while ((de = readdir (d)) != NULL)
        {
          size_t n = strlen (de->d_name);
          bool process = n > 13 && strcmp (de->d_name + n - 13, ".process.json") == 0;
          bool config = n > 12 && strcmp (de->d_name + n - 12, ".config.json") == 0;
          if (!process && !config)
            continue;
          cleanup_free char *path = NULL;
          xasprintf (&path, "%s/%s", dir, de->d_name);
          test_fixture (path, process ? SPEC_PROCESS : SPEC_CONFIG);
          seen++;
        }
    }
  if (seen == 0)
    TAP_SKIP ("no fixtures under %s", top);
  else
    TAP_CHECK (seen >= 18, "all fixture files visited (%d)", seen);
}

/* ---- the table itself ---- */

static char *
fold_ascii (const char *s)
{
  char *out = xstrdup (s);
  for (char *p = out; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char) (*p - 'A' + 'a');
  return out;
}

/* Every struct reachable from the roots: names unique under fold, struct
 * kinds carry their sub-struct, nesting bounded (recursion follows it). */
static void
test_schema_table (void)
{
  const struct schema_struct *queue[256];
  size_t depth_of[256];
  size_t head = 0, tail = 0, max_depth = 0;
  bool ok = true;

  queue[tail] = &schema_spec, depth_of[tail++] = 1;
  queue[tail] = &schema_process, depth_of[tail++] = 1;
  queue[tail] = &schema_linux_resources, depth_of[tail++] = 1;
  while (head < tail && ok)
    {
      const struct schema_struct *s = queue[head];
      size_t d = depth_of[head++];
      if (d > max_depth)
        max_depth = d;
      for (size_t i = 0; i < s->nfields && ok; i++)
        {
          const struct schema_field *f = &s->fields[i];
          cleanup_free char *fi = fold_ascii (f->name);
          for (size_t j = i + 1; j < s->nfields; j++)
            {
              cleanup_free char *fj = fold_ascii (s->fields[j].name);
              if (strcmp (fi, fj) == 0)
                {
                  tap_diag ("%s: %s and %s fold together", s->go_name, f->name, s->fields[j].name);
                  ok = false;
                }
            }
          if (f->name_len != strlen (f->name))
            {
              tap_diag ("%s.%s: name_len %zu", s->go_name, f->name, f->name_len);
              ok = false;
            }
          bool needs_sub
              = f->kind == SK_STRUCT || f->kind == SK_MAP_STRUCT || (f->kind == SK_ARRAY && f->elem == SK_STRUCT);
          if (needs_sub != (f->sub != NULL))
            {
              tap_diag ("%s.%s: sub-struct mismatch", s->go_name, f->name);
              ok = false;
            }
          if (f->sub && tail < 256)
            {
              queue[tail] = f->sub;
              depth_of[tail++] = d + 1;
            }
        }
    }
  TAP_CHECK (ok && head == tail, "schema table: unique folded names, sub-structs present (%zu structs visited)", tail);
  TAP_CHECK (max_depth <= 8, "schema nesting is bounded (%zu)", max_depth);
}

int
main (void)
{
  test_folding ();
  test_types ();
  test_null ();
  test_unknown_fields ();
  test_kinds ();
  test_fixtures ();
  test_schema_table ();
  return tap_done ();
}
