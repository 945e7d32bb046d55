/* Strength check of the seccomp profile a container arrives with
 * (docs/seccomp.md, "Strength check"). */
#include <stdarg.h>
#include <string.h>

#include "internal.h"
#include "secshim/cleanup.h"
#include "secshim/seccomp.h"
#include "secshim/util.h"

/* name, then the capabilities any one of which permits it (none: never).
 * The ptrace family is not here on purpose: Docker's own default profile
 * allows it on kernels >= 4.8, where it no longer bypasses seccomp, and a
 * check that refused Docker's default would refuse every docker run.
 * secshim's own profile still gates it on CAP_SYS_PTRACE. */
static const struct
{
  const char *name;
  const char *caps[3];
} builtin_dangerous[] = {
  /* namespaces (clone itself is always checked for its flag mask) */
  { "unshare", { "CAP_SYS_ADMIN" } },
  { "setns", { "CAP_SYS_ADMIN" } },
  { "clone3", { "CAP_SYS_ADMIN" } },
  /* mounts, old and new API */
  { "mount", { "CAP_SYS_ADMIN" } },
  { "umount", { "CAP_SYS_ADMIN" } },
  { "umount2", { "CAP_SYS_ADMIN" } },
  { "pivot_root", { "CAP_SYS_ADMIN" } },
  { "fsopen", { "CAP_SYS_ADMIN" } },
  { "fsconfig", { "CAP_SYS_ADMIN" } },
  { "fsmount", { "CAP_SYS_ADMIN" } },
  { "fspick", { "CAP_SYS_ADMIN" } },
  { "open_tree", { "CAP_SYS_ADMIN" } },
  { "move_mount", { "CAP_SYS_ADMIN" } },
  { "mount_setattr", { "CAP_SYS_ADMIN" } },
  /* other CAP_SYS_ADMIN territory */
  { "quotactl", { "CAP_SYS_ADMIN" } },
  { "quotactl_fd", { "CAP_SYS_ADMIN" } },
  { "lookup_dcookie", { "CAP_SYS_ADMIN" } },
  { "fanotify_init", { "CAP_SYS_ADMIN" } },
  { "syslog", { "CAP_SYS_ADMIN", "CAP_SYSLOG" } },
  { "bpf", { "CAP_SYS_ADMIN", "CAP_BPF" } },
  { "perf_event_open", { "CAP_SYS_ADMIN", "CAP_PERFMON" } },
  /* kernel keyrings are not namespaced */
  { "keyctl", { NULL } },
  { "add_key", { NULL } },
  { "request_key", { NULL } },
  /* replacing or extending the kernel */
  { "kexec_load", { NULL } },
  { "kexec_file_load", { NULL } },
  { "init_module", { "CAP_SYS_MODULE" } },
  { "finit_module", { "CAP_SYS_MODULE" } },
  { "delete_module", { "CAP_SYS_MODULE" } },
  { "open_by_handle_at", { "CAP_DAC_READ_SEARCH" } },
  { "userfaultfd", { NULL } },
  { "reboot", { "CAP_SYS_BOOT" } },
  { "swapon", { NULL } },
  { "swapoff", { NULL } },
  { "acct", { "CAP_SYS_PACCT" } },
  { "settimeofday", { "CAP_SYS_TIME" } },
  { "stime", { "CAP_SYS_TIME" } },
  { "clock_settime", { "CAP_SYS_TIME" } },
  { "clock_settime64", { "CAP_SYS_TIME" } },
  { "iopl", { "CAP_SYS_RAWIO" } },
  { "ioperm", { "CAP_SYS_RAWIO" } },
};

static const char *const known_flags[] = {
  "SECCOMP_FILTER_FLAG_TSYNC",
  "SECCOMP_FILTER_FLAG_LOG",
  "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
  NULL,
};

bool
seccomp_flag_known (const char *flag)
{
  size_t i;
  for (i = 0; flag && known_flags[i]; i++)
    if (strcmp (flag, known_flags[i]) == 0)
      return true;
  return false;
}

/* A hash index of the list by name, so that the strength check finds a
 * syscall in constant time: a profile names ~350 syscalls, and a binary
 * search (strcmp per step) per name was a fifth of evaluating a docker
 * config.  A slot holds the name's hash and the index + 1 of the first
 * entry in document order with that name (the one the linear scan found);
 * 0 is empty.  At least twice as many slots as entries, so a probe ends. */
static size_t
name_hash (const char *s)
{
  return str_hash (s, 0);
}

/* The sieve's bit for a name of n >= 1 bytes: its class by first, middle
 * and last byte and length, spread over 1024 bits by a multiply (most of
 * Docker's ~350 names fall in a class no dangerous name is in). */
static inline size_t
sieve_bit (const char *s, size_t n)
{
  uint64_t v = (uint64_t) (unsigned char) s[0] | (uint64_t) (unsigned char) s[n - 1] << 8
               | (uint64_t) (unsigned char) s[n / 2] << 16 | (uint64_t) n << 24;
  return (size_t) ((v * 0x9E3779B97F4A7C15ULL) >> 54);
}

static void
sieve_add (struct seccomp_dangerous_list *l, const char *name)
{
  size_t n = strlen (name), b;
  if (n == 0)
    return; /* never asked: an empty name always takes the full check */
  b = sieve_bit (name, n);
  l->sieve[b / 64] |= (uint64_t) 1 << (b % 64);
}

/* True when item is a name the strength check keeps without looking
 * further: a string outside the sieve is neither dangerous nor clone. */
static inline __attribute__ ((always_inline)) bool
sieve_passes (const struct seccomp_dangerous_list *l, const struct json_value *item)
{
  size_t b;
  if (l == NULL || l->slots == NULL || !json_is (item, JSON_STRING) || item->len == 0)
    return false;
  b = sieve_bit (item->str, item->len);
  return (l->sieve[b / 64] & ((uint64_t) 1 << (b % 64))) == 0;
}

bool
seccomp_dangerous_sieve_passes (const struct seccomp_dangerous_list *l, const struct json_value *item)
{
  return sieve_passes (l, item);
}

void
seccomp_dangerous_index (struct seccomp_dangerous_list *l)
{
  size_t i, ns = 16;

  memset (l->sieve, 0, sizeof l->sieve);
  sieve_add (l, "clone");
  for (i = 0; i < l->n; i++)
    sieve_add (l, l->v[i].name);

  /* callers may pass an uninitialised list to _default: never read it */
  while (ns < 2 * l->n)
    ns *= 2;
  l->slots = xzalloc (ns * sizeof *l->slots);
  l->nslots = ns;
  for (i = 0; i < l->n; i++)
    {
      size_t h = name_hash (l->v[i].name), j;
      for (j = h & (ns - 1); l->slots[j].index != 0; j = (j + 1) & (ns - 1))
        if (l->slots[j].hash == h && strcmp (l->v[l->slots[j].index - 1].name, l->v[i].name) == 0)
          break;
      if (l->slots[j].index == 0)
        {
          l->slots[j].hash = h;
          l->slots[j].index = i + 1;
        }
    }
}

void
seccomp_dangerous_default (struct seccomp_dangerous_list *out)
{
  size_t i, j, n = sizeof builtin_dangerous / sizeof builtin_dangerous[0];
  out->v = xzalloc (n * sizeof out->v[0]);
  out->n = n;
  out->borrowed = false;
  for (i = 0; i < n; i++)
    {
      out->v[i].name = xstrdup (builtin_dangerous[i].name);
      for (j = 0; j < 3 && builtin_dangerous[i].caps[j]; j++)
        ;
      out->v[i].caps.n = j;
      out->v[i].caps.v = xzalloc ((j + 1) * sizeof (char *));
      for (j = 0; j < out->v[i].caps.n; j++)
        out->v[i].caps.v[j] = xstrdup (builtin_dangerous[i].caps[j]);
    }
  seccomp_dangerous_index (out);
}

void
seccomp_dangerous_free (struct seccomp_dangerous_list *l)
{
  size_t i;
  for (i = 0; i < l->n; i++)
    {
      if (!l->borrowed)
        free (l->v[i].name);
      strv_free (&l->v[i].caps);
    }
  free (l->v);
  free (l->slots);
  l->v = NULL;
  l->slots = NULL;
  l->nslots = 0;
  l->n = 0;
  l->borrowed = false;
}

int
seccomp_dangerous_parse (const struct json_value *obj, const char *where, struct seccomp_dangerous_list *out,
                         secshim_error_t *err)
{
  struct seccomp_dangerous_list l = { NULL, 0 };
  size_t i, j;

  if (!json_is (obj, JSON_OBJECT))
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: expected an object of syscall: [capabilities]", where);
  l.v = xzalloc ((obj->count + 1) * sizeof l.v[0]);
  for (i = 0; i < obj->count; i++)
    {
      const char *name = obj->members[i].key;
      const struct json_value *caps = obj->members[i].value;
      struct seccomp_dangerous *d = &l.v[l.n++];

      d->name = xstrdup (name);
      if (!sc_name_known (name))
        {
          seccomp_dangerous_free (&l);
          return secshim_make_error (err, SECSHIM_ECONFIG, "%s.%s: `%s` is not a syscall libseccomp knows", where, name,
                                     name);
        }
      if (!json_is (caps, JSON_ARRAY))
        {
          seccomp_dangerous_free (&l);
          return secshim_make_error (err, SECSHIM_ECONFIG, "%s.%s: expected an array of capabilities", where, name);
        }
      d->caps.v = xzalloc ((caps->count + 1) * sizeof (char *));
      for (j = 0; j < caps->count; j++)
        {
          const char *cap = json_string (caps->items[j]);
          if (!sc_cap_known (cap))
            {
              seccomp_dangerous_free (&l);
              return secshim_make_error (err, SECSHIM_ECONFIG, "%s.%s[%zu]: expected a capability name (CAP_...)",
                                         where, name, j);
            }
          d->caps.v[d->caps.n++] = xstrdup (cap);
        }
    }
  seccomp_dangerous_index (&l);
  *out = l;
  return 0;
}

bool
seccomp_profile_is_weak (const struct json_value *seccomp, const char **why)
{
  const char *def = json_string (json_get (seccomp, "defaultAction"));
  const char *reason = NULL;

  if (!json_is (seccomp, JSON_OBJECT))
    reason = "no seccomp profile";
  else if (def == NULL)
    reason = "no defaultAction";
  else if (!sc_action_known (def))
    reason = "unknown defaultAction";
  else if (strcmp (def, "SCMP_ACT_ALLOW") == 0)
    reason = "defaultAction SCMP_ACT_ALLOW allows every syscall";
  else if (strcmp (def, "SCMP_ACT_LOG") == 0)
    reason = "defaultAction SCMP_ACT_LOG allows every syscall";
  else if (strcmp (def, "SCMP_ACT_TRACE") == 0)
    reason = "defaultAction SCMP_ACT_TRACE lets a tracer allow any syscall";
  else if (strcmp (def, "SCMP_ACT_NOTIFY") == 0)
    reason = "defaultAction SCMP_ACT_NOTIFY lets a notify agent allow any syscall";
  if (why)
    *why = reason;
  return reason != NULL;
}

void
seccomp_problems_free (struct seccomp_problems *p)
{
  size_t i;
  for (i = 0; i < p->n; i++)
    {
      free (p->v[i].path);
      free (p->v[i].message);
    }
  free (p->v);
  p->v = NULL;
  p->n = 0;
}

static void __attribute__ ((format (printf, 3, 4)))
add_problem (struct seccomp_problems *out, char *path, const char *fmt, ...)
{
  va_list ap;
  struct seccomp_problem *p;
  if (out->n == out->cap)
    {
      out->cap = out->cap ? out->cap * 2 : 8;
      out->v = xreallocarray (out->v, out->cap, sizeof out->v[0]);
    }
  p = &out->v[out->n++];
  p->path = path;
  va_start (ap, fmt);
  xvasprintf (&p->message, fmt, ap);
  va_end (ap);
}

static char *
caps_text (const struct strv *caps)
{
  char *s = NULL;
  size_t i;
  if (caps->n == 0)
    return xstrdup ("in any container");
  s = xstrdup ("without ");
  for (i = 0; i < caps->n; i++)
    {
      char *t = NULL;
      xasprintf (&t, "%s%s%s", s, i ? " or " : "", caps->v[i]);
      free (s);
      s = t;
    }
  return s;
}

static const struct seccomp_dangerous *
find_dangerous (const struct seccomp_dangerous_list *l, const char *name)
{
  size_t h, i;

  if (l == NULL)
    return NULL;
  if (l->slots == NULL)
    {
      for (i = 0; i < l->n; i++)
        if (strcmp (l->v[i].name, name) == 0)
          return &l->v[i];
      return NULL;
    }
  h = name_hash (name);
  for (i = h & (l->nslots - 1); l->slots[i].index != 0; i = (i + 1) & (l->nslots - 1))
    if (l->slots[i].hash == h && strcmp (l->v[l->slots[i].index - 1].name, name) == 0)
      return &l->v[l->slots[i].index - 1];
  return NULL;
}

static bool
caps_permit (const struct strv *caps, const struct json_value *bounding)
{
  size_t i;
  for (i = 0; i < caps->n; i++)
    if (sc_caps_have (bounding, caps->v[i]))
      return true;
  return false;
}

struct flags_walk
{
  const struct seccomp_check_opts *o;
  bool fix;
  struct seccomp_problems *out;
};

static bool
keep_flag (struct json_value *item, size_t orig, void *data)
{
  struct flags_walk *w = data;
  const char *f = json_string (item);
  char *path = NULL;
  if (f && seccomp_flag_known (f) && w->o->flags && strv_contains (w->o->flags, f))
    return true;
  xasprintf (&path, "linux.seccomp.flags[%zu]", orig);
  if (f == NULL || !seccomp_flag_known (f))
    add_problem (w->out, path, "unknown seccomp flag `%s`", f ? f : "(not a string)");
  else if (strcmp (f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
    add_problem (w->out, path, "%s turns off the speculative store bypass mitigation and is not allowed", f);
  else
    add_problem (w->out, path, "seccomp flag %s is not allowed by the policy", f);
  return !w->fix;
}

/* Every removal below is one json_array_retain pass: a profile of many
 * names costs linear time (docs/threat-model.md §2.9). */
static void
check_flags (struct json_value *profile, const struct seccomp_check_opts *o, bool fix, struct seccomp_problems *out)
{
  struct json_value *flags = json_get (profile, "flags");
  struct flags_walk w = { o, fix, out };

  json_array_retain (flags, keep_flag, &w);
  if (fix && json_is (flags, JSON_ARRAY) && flags->count == 0)
    json_remove (profile, "flags");
}

static bool
rules_name (const struct json_value *rules, const char *name)
{
  size_t i;
  for (i = 0; json_is (rules, JSON_ARRAY) && i < rules->count; i++)
    if (json_array_has_string (json_get (rules->items[i], "names"), name))
      return true;
  return false;
}

static struct json_value *
masked_clone_rule (void)
{
  struct json_value *rule = json_new_object ();
  struct json_value *names = json_new_array ();
  struct json_value *args = json_new_array ();
  struct json_value *arg = json_new_object ();

  json_array_append (names, json_new_string ("clone"));
  json_set (rule, "names", names);
  json_set (rule, "action", json_new_string ("SCMP_ACT_ALLOW"));
  json_set (arg, "index", json_new_u64 (0));
  json_set (arg, "value", json_new_u64 (SECCOMP_CLONE_NS_MASK));
  json_set (arg, "valueTwo", json_new_u64 (0));
  json_set (arg, "op", json_new_string ("SCMP_CMP_MASKED_EQ"));
  json_array_append (args, arg);
  json_set (rule, "args", args);
  return rule;
}

static struct json_value *
enosys_clone3_rule (void)
{
  struct json_value *rule = json_new_object ();
  struct json_value *names = json_new_array ();
  json_array_append (names, json_new_string ("clone3"));
  json_set (rule, "names", names);
  json_set (rule, "action", json_new_string ("SCMP_ACT_ERRNO"));
  json_set (rule, "errnoRet", json_new_u64 (38)); /* ENOSYS: libc falls back to clone */
  return rule;
}

struct names_walk
{
  const struct json_value *rule;
  size_t orig;
  const char *action;
  const struct seccomp_check_opts *o;
  bool fix;
  struct seccomp_problems *out;
  bool *removed_clone, *removed_clone3;
};

static bool
keep_name (struct json_value *item, size_t jorig, void *data)
{
  struct names_walk *w = data;
  const char *name = json_string (item);
  const struct seccomp_dangerous *d = name ? find_dangerous (w->o->dangerous, name) : NULL;
  const char *action = w->action;
  char *path = NULL;
  bool is_clone = name && name[0] == 'c' && strcmp (name, "clone") == 0;

  if (is_clone)
    {
      if (sc_caps_have (w->o->bounding, "CAP_SYS_ADMIN") || sc_args_block_clone_ns (json_get (w->rule, "args")))
        return true;
      xasprintf (&path, "linux.seccomp.syscalls[%zu].names[%zu]", w->orig, jorig);
      add_problem (w->out, path,
                   "`clone` is allowed (%s) without CAP_SYS_ADMIN and without a mask of its namespace flags "
                   "(arg 0 & 0x7E020000 == 0)",
                   action ? action : "?");
    }
  else if (d == NULL || caps_permit (&d->caps, w->o->bounding))
    return true;
  else
    {
      cleanup_free char *need = caps_text (&d->caps);
      xasprintf (&path, "linux.seccomp.syscalls[%zu].names[%zu]", w->orig, jorig);
      add_problem (w->out, path, "`%s` is allowed (%s) %s", name, action ? action : "?", need);
    }
  if (!w->fix)
    return true;
  if (is_clone)
    *w->removed_clone = true;
  else if (strcmp (name, "clone3") == 0)
    *w->removed_clone3 = true;
  return false;
}

/* Check the names of one permitting rule; returns true when the rule is
 * left without names (and should go). */
static bool
check_rule_names (struct json_value *rule, size_t orig, const struct seccomp_check_opts *o, bool fix,
                  struct seccomp_problems *out, bool *removed_clone, bool *removed_clone3)
{
  struct json_value *names = json_get (rule, "names");
  struct names_walk w
      = { rule, orig, json_string (json_get (rule, "action")), o, fix, out, removed_clone, removed_clone3 };
  size_t i, kept = 0;

  /* json_array_retain's pass, written out so that the sieve keeps most
   * names without a call per name (Docker's profile names ~350). */
  if (!json_is (names, JSON_ARRAY))
    return false;
  for (i = 0; i < names->count; i++)
    {
      struct json_value *it = names->items[i];
      if (sieve_passes (o->dangerous, it) || keep_name (it, i, &w))
        names->items[kept++] = it;
      else
        json_free (it);
    }
  names->count = kept;
  return fix && kept == 0;
}

struct rules_walk
{
  const struct seccomp_check_opts *o;
  bool fix, trusted;
  struct seccomp_problems *out;
  bool removed_clone, removed_clone3;
};

static bool
keep_rule (struct json_value *rule, size_t orig, void *data)
{
  struct rules_walk *w = data;
  const char *action = json_string (json_get (rule, "action"));
  bool drop = false;

  if (action && strcmp (action, "SCMP_ACT_NOTIFY") == 0 && !w->trusted)
    {
      char *path = NULL;
      xasprintf (&path, "linux.seccomp.syscalls[%zu]", orig);
      add_problem (w->out, path, "SCMP_ACT_NOTIFY without an allowed listener");
      drop = w->fix;
      /* fork and threads must keep working without the agent */
      w->removed_clone = w->removed_clone || (w->fix && json_array_has_string (json_get (rule, "names"), "clone"));
      w->removed_clone3 = w->removed_clone3 || (w->fix && json_array_has_string (json_get (rule, "names"), "clone3"));
    }
  else if (action && strcmp (action, "SCMP_ACT_NOTIFY") == 0)
    ; /* an allowlisted agent decides */
  else if (sc_action_permits (action))
    drop = check_rule_names (rule, orig, w->o, w->fix, w->out, &w->removed_clone, &w->removed_clone3);
  return !drop;
}

void
seccomp_check_profile (struct json_value *profile, const struct seccomp_check_opts *o, bool fix,
                       struct seccomp_problems *out)
{
  const char *listener = json_string (json_get (profile, "listenerPath"));
  bool trusted = listener && o->listeners && strv_contains (o->listeners, listener);
  struct json_value *rules = json_get (profile, "syscalls");
  bool removed_clone = false, removed_clone3 = false;

  check_flags (profile, o, fix, out);
  if (json_get (profile, "listenerPath") && !trusted)
    {
      add_problem (out, xstrdup ("linux.seccomp.listenerPath"),
                   "listener `%s` is not allowed by the policy: a notify agent can let any syscall through",
                   listener ? listener : "(not a string)");
      if (fix)
        {
          json_remove (profile, "listenerPath");
          json_remove (profile, "listenerMetadata");
        }
    }

  {
    struct rules_walk w = { o, fix, trusted, out, false, false };
    json_array_retain (rules, keep_rule, &w);
    removed_clone = w.removed_clone;
    removed_clone3 = w.removed_clone3;
  }

  /* Put back what ordinary programs need: fork and threads through clone
   * without namespace flags, and clone3 answered ENOSYS so libc falls back
   * to clone (EPERM would make pthread_create fail). */
  if (fix && removed_clone && !rules_name (rules, "clone"))
    json_array_append (rules, masked_clone_rule ());
  if (fix && removed_clone3 && !rules_name (rules, "clone3"))
    json_array_append (rules, enosys_clone3_rule ());
}
