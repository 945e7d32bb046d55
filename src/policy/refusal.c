/* Findings in the words of the engine the user typed (see secshim/refusal.h).
 *
 * Each refusing finding becomes a clause with a priority; findings that one
 * user-facing choice explains are folded into one clause: every device and
 * capability of --privileged into "--privileged", the host namespaces into
 * one "--pid host --ipc host" clause (with the /dev/shm bind docker adds for
 * --ipc host), all devices into one "--device" clause.  The message is the
 * first clause and the count of the others.  Two linear passes, no
 * recursion; every piece taken from the document is shortened. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/refusal.h"
#include "secshim/util.h"

/* Longest host path, device or value quoted in a clause. */
#define PIECE_MAX 160

static const char *const ns_types[] = { "pid", "network", "ipc", "uts", "user", "cgroup", "mount", "time" };
#define N_NS (sizeof ns_types / sizeof ns_types[0])

const char *
engine_name (enum engine e)
{
  switch (e)
    {
    case ENGINE_DOCKER:
      return "docker";
    case ENGINE_PODMAN:
      return "podman";
    case ENGINE_CRI:
      return "cri";
    default:
      return "oci";
    }
}

enum engine
engine_from_name (const char *name)
{
  if (str_equal (name, "docker"))
    return ENGINE_DOCKER;
  if (str_equal (name, "podman"))
    return ENGINE_PODMAN;
  if (str_equal (name, "cri") || str_equal (name, "containerd") || str_equal (name, "cri-o"))
    return ENGINE_CRI;
  return ENGINE_OCI;
}

enum engine
refusal_engine (const struct json_value *doc, const char *root, const char *bundle)
{
  const struct json_value *ann = json_get (doc, "annotations");
  const struct json_value *mounts = json_get (doc, "mounts");
  size_t i;

  if (str_equal (json_string (json_get (ann, "io.container.manager")), "libpod"))
    return ENGINE_PODMAN;
  if (json_get (ann, "io.kubernetes.cri.container-type") || json_get (ann, "io.kubernetes.cri-o.ContainerType")
      || json_get (ann, "io.kubernetes.pod.name"))
    return ENGINE_CRI;
  if (json_is (mounts, JSON_ARRAY))
    for (i = 0; i < mounts->count; i++)
      if (str_has_prefix (json_string (json_get (mounts->items[i], "source")) ?: "", "/var/lib/docker/containers/"))
        return ENGINE_DOCKER;
  if (root && (strstr (root, "/k8s.io") || strstr (root, "/crio")))
    return ENGINE_CRI;
  if (root && strstr (root, "/moby"))
    return ENGINE_DOCKER;
  if (root && strstr (root, "/libpod"))
    return ENGINE_PODMAN;
  if (bundle && strstr (bundle, "/k8s.io/"))
    return ENGINE_CRI;
  if (bundle && strstr (bundle, "/moby/"))
    return ENGINE_DOCKER;
  if (bundle && strstr (bundle, "/overlay-containers/"))
    return ENGINE_PODMAN;
  return ENGINE_OCI;
}

static bool
cli_engine (enum engine e)
{
  return e == ENGINE_DOCKER || e == ENGINE_PODMAN;
}

/* A value of the document for a clause: at most PIECE_MAX bytes, cut on a
 * UTF-8 boundary, with "..." when cut.  Malloc'd. */
static char *
piece (const char *s)
{
  size_t n = s ? strlen (s) : 0;
  char *out;
  if (n <= PIECE_MAX)
    return xstrdup (s ? s : "");
  n = PIECE_MAX;
  while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
    n--;
  out = xmalloc (n + 4);
  memcpy (out, s, n);
  memcpy (out + n, "...", 4);
  return out;
}

/* "\"/run/systemd\"" (a finding's short rendering) -> "/run/systemd". */
static char *
unquote (const char *before)
{
  size_t n;
  if (before == NULL)
    return NULL;
  n = strlen (before);
  if (n >= 2 && before[0] == '"' && before[n - 1] == '"')
    return xstrndup (before + 1, n - 2);
  return xstrdup (before);
}

/* "mounts[7].source" -> 7; -1 when the path is not of that form. */
static long
path_index (const char *path, const char *prefix)
{
  size_t n = strlen (prefix);
  const char *close;
  cleanup_free char *digits = NULL;
  uint32_t v;
  if (path == NULL || strncmp (path, prefix, n) != 0 || path[n] != '[')
    return -1;
  close = strchr (path + n + 1, ']');
  if (close == NULL)
    return -1;
  digits = xstrndup (path + n + 1, (size_t) (close - path - n - 1));
  if (parse_u32 (digits, &v) < 0 || v > 0x7fffffff)
    return -1;
  return (long) v;
}

static const struct json_value *
doc_item (const struct json_value *doc, const char *key, long idx)
{
  const struct json_value *arr = json_get_path (doc, key);
  if (idx < 0 || !json_is (arr, JSON_ARRAY) || (size_t) idx >= arr->count)
    return NULL;
  return arr->items[idx];
}

static bool
is_refusal (const struct finding *fd)
{
  return fd->action == ACTION_REJECT && !fd->exempted;
}

/* ---- namespaces ---- */

static const char *
ns_words (const char *type, enum engine e)
{
  static const char *const cli[N_NS]
      = { "--pid host",    "--network host",  "--ipc host",         "--uts host",
          "--userns host", "--cgroupns host", "no mount namespace", "no time namespace" };
  /* A pod shares the host's uts namespace only with hostNetwork: one field,
     said once (ns_clause skips a repeated phrase). */
  static const char *const cri[N_NS]
      = { "hostPID: true",   "hostNetwork: true",           "hostIPC: true",      "hostNetwork: true",
          "hostUsers: true", "the host's cgroup namespace", "no mount namespace", "no time namespace" };
  size_t i;
  for (i = 0; i < N_NS; i++)
    if (strcmp (type, ns_types[i]) == 0)
      {
        if (cli_engine (e))
          return cli[i];
        if (e == ENGINE_CRI)
          return cri[i];
        return NULL;
      }
  return NULL;
}

/* The namespace types a namespaces finding is about: "no pid namespace",
 * "pid namespace path /proc/1/ns/pid is the host's pid namespace". */
static unsigned
ns_mask_of (const struct finding *fd)
{
  unsigned mask = 0;
  size_t i;
  const char *m = fd->message ?: "";
  for (i = 0; i < N_NS; i++)
    {
      cleanup_free char *no = NULL, *hostns = NULL;
      xasprintf (&no, "no %s namespace", ns_types[i]);
      xasprintf (&hostns, "the host's %s namespace", ns_types[i]);
      if (strstr (m, no) || strstr (m, hostns))
        mask |= 1u << i;
    }
  return mask;
}

static char *
ns_clause (unsigned mask, enum engine e)
{
  struct strbuf sb = { 0 };
  cleanup_free char *list = NULL;
  size_t i, n = 0;
  char *out = NULL;

  for (i = 0; i < N_NS; i++)
    if (mask & (1u << i))
      {
        const char *w = ns_words (ns_types[i], e);
        cleanup_free char *oci = NULL;
        if (w == NULL)
          {
            xasprintf (&oci, "no %s namespace in linux.namespaces", ns_types[i]);
            w = oci;
          }
        if (n && strstr (sb.buf, w))
          continue; /* CRI: uts and network both say hostNetwork */
        if (n)
          strbuf_append (&sb, ", ", 2, 128);
        strbuf_append (&sb, w, strlen (w), 128);
        n++;
      }
  list = sb.buf ? sb.buf : xstrdup ("a host namespace");
  xasprintf (&out,
             "%s %s refused: the container would share the host's namespace%s; drop %s, or exempt the container "
             "from rule namespaces",
             list, n > 1 ? "are" : "is", n > 1 ? "s" : "", n > 1 ? "them" : "it");
  return out;
}

/* ---- mounts ---- */

/* Host path and destination of a mounts[N] finding. */
static void
mount_of (const struct finding *fd, const struct json_value *doc, char **src, char **dst)
{
  const struct json_value *m = doc_item (doc, "mounts", path_index (fd->path, "mounts"));
  const char *s = json_string (json_get (m, "source"));
  const char *d = json_string (json_get (m, "destination"));
  cleanup_free char *from_before = NULL;
  if (s == NULL && fd->path && strstr (fd->path, ".source"))
    s = from_before = unquote (fd->before);
  cleanup_free char *into = NULL;
  if (d == NULL && fd->message && (d = strstr (fd->message, "(into ")) != NULL)
    {
      /* The audit record has no document: the rule's message names it. */
      const char *start = d + strlen ("(into ");
      const char *end = strstr (start, ") ");
      d = into = end ? xstrndup (start, (size_t) (end - start)) : NULL;
    }
  *src = s ? piece (s) : NULL;
  *dst = d ? piece (d) : NULL;
}

static char *
mount_words (const char *src, const char *dst, enum engine e)
{
  char *out = NULL;
  const char *d = dst ? dst : "...";
  if (cli_engine (e))
    xasprintf (&out, "-v %s:%s", src, d);
  else if (e == ENGINE_CRI)
    xasprintf (&out, "hostPath volume %s (mountPath %s)", src, d);
  else
    xasprintf (&out, "bind mount of %s at %s", src, d);
  return out;
}

/* "bind mount of host path / (into /host) is denied: it contains /boot"
 * -> the reason in terms of the policy key. */
static char *
mount_reason (const char *src, const char *msg)
{
  const char *why = strstr (msg, " is denied: ");
  char *out = NULL;
  if (str_equal (src, "/"))
    return xstrdup ("it is the host's root filesystem (rules.mounts.denyExact)");
  if (why == NULL)
    return NULL;
  why += strlen (" is denied: ");
  if (str_has_prefix (why, "it holds every ") || str_has_prefix (why, "it belongs to "))
    xasprintf (&out, "host path %s %.*s", src, 2 * PIECE_MAX, why + strlen ("it "));
  else if (str_has_prefix (why, "it is on a kernel filesystem"))
    xasprintf (&out, "host path %s is on a kernel filesystem (proc, sysfs, cgroup)", src);
  else if (str_has_prefix (why, "it is inside ") && strcmp (why + strlen ("it is inside "), src) == 0)
    xasprintf (&out, "host path %s is listed in rules.mounts.deny", src);
  else if (str_has_prefix (why, "it is inside "))
    xasprintf (&out, "host path %s is inside %.*s, which rules.mounts.deny lists", src, PIECE_MAX,
               why + strlen ("it is inside "));
  else if (str_has_prefix (why, "it contains "))
    xasprintf (&out, "host path %s contains %.*s, which rules.mounts.deny lists", src, PIECE_MAX,
               why + strlen ("it contains "));
  else if (str_has_prefix (why, "it is "))
    xasprintf (&out, "host path %s is listed in rules.mounts (deny or denyExact)", src);
  else
    xasprintf (&out, "host path %s: %.*s", src, PIECE_MAX, why);
  return out;
}

/* ---- capabilities ---- */

/* "dropped from bounding (not in the allowlist): CAP_MKNOD, CAP_NET_RAW"
 * -> "MKNOD, NET_RAW" (engine spelling: no CAP_ prefix). */
static char *
cap_list (const char *msg)
{
  const char *p = strstr (msg ? msg : "", ": CAP_");
  struct strbuf sb = { 0 };
  if (p == NULL)
    return NULL;
  p += 2;
  while (*p)
    {
      const char *end = p;
      while (*end && *end != ',' && *end != ' ')
        end++;
      if (str_has_prefix (p, "CAP_"))
        {
          if (sb.len)
            strbuf_append (&sb, ", ", 2, 64);
          strbuf_append (&sb, p + 4, (size_t) (end - p - 4), 64);
        }
      p = end;
      while (*p == ',' || *p == ' ')
        p++;
      if (sb.len > PIECE_MAX)
        {
          strbuf_append (&sb, ", ...", 5, 64);
          break;
        }
    }
  return sb.buf;
}

static char *
caps_words (const char *caps, enum engine e)
{
  char *out = NULL;
  if (cli_engine (e))
    xasprintf (&out, "--cap-add %s", caps);
  else if (e == ENGINE_CRI)
    xasprintf (&out, "securityContext.capabilities.add [%s]", caps);
  else
    xasprintf (&out, "capabilities %s", caps);
  return out;
}

/* ---- one finding ---- */

enum prio
{
  P_PRIVILEGED,
  P_NAMESPACES,
  P_MOUNT,
  P_DEVICES,
  P_CAPS,
  P_CONFINEMENT,
  P_USER,
  P_OTHER,
  P_ENGINE, /* what the engine added itself (its hook, its own files) */
};

static const char *
privileged_words (enum engine e)
{
  if (cli_engine (e))
    return "--privileged";
  if (e == ENGINE_CRI)
    return "securityContext.privileged: true";
  return "a privileged configuration";
}

static const char *seccomp_words (enum engine e);

/* The signs privileged.c lists, in the engine's words. */
static const char *
privileged_sign_words (const char *sign, enum engine e)
{
  if (str_has_prefix (sign, "CAP_SYS_ADMIN"))
    return cli_engine (e) ? "--cap-add SYS_ADMIN" : e == ENGINE_CRI ? "capabilities.add [SYS_ADMIN]" : "CAP_SYS_ADMIN";
  if (str_has_prefix (sign, "no seccomp"))
    return seccomp_words (e);
  if (strstr (sign, "allows every device"))
    return cli_engine (e) ? "--device-cgroup-rule 'a *:* rwm'" : "a device rule allowing every device";
  if (str_has_prefix (sign, "no masked paths") || str_has_prefix (sign, "no read-only paths"))
    return e == ENGINE_DOCKER   ? "--security-opt systempaths=unconfined"
           : e == ENGINE_PODMAN ? "--security-opt unmask=ALL"
           : e == ENGINE_CRI    ? "securityContext.procMount: Unmasked"
                                : "no linux.maskedPaths";
  if (strstr (sign, "/sys mounted read-write"))
    return "a read-write /sys";
  if (strstr (sign, "apparmorProfile is unconfined"))
    return cli_engine (e) ? "--security-opt apparmor=unconfined" : "an unconfined AppArmor profile";
  return NULL;
}

static char *
privileged_clause (const struct finding *fd, enum engine e)
{
  const char *m = fd ? fd->message : NULL;
  const char *signs = m ? strstr (m, " signs: ") : NULL;
  struct strbuf sb = { 0 };
  cleanup_free char *list = NULL;
  char *out = NULL;
  size_t n = 0;

  /* Every device allowed and nothing masked: what --privileged gives. */
  if (m == NULL || signs == NULL || (strstr (m, "allows every device") && strstr (m, "no masked paths")))
    {
      xasprintf (&out,
                 "%s is refused: it gives every capability and host device and no seccomp filter; %s, or exempt "
                 "the container from rule privileged",
                 privileged_words (e),
                 cli_engine (e)    ? "run without it and add only the --cap-add or --device it needs"
                 : e == ENGINE_CRI ? "set privileged: false and add only the capabilities it needs"
                                   : "grant only what it needs");
      return out;
    }
  signs += strlen (" signs: ");
  while (*signs)
    {
      const char *end = strstr (signs, "; ");
      size_t len = end ? (size_t) (end - signs) : strlen (signs);
      cleanup_free char *one = xstrndup (signs, len);
      const char *w = privileged_sign_words (one, e);
      if (w && !(sb.buf && strstr (sb.buf, w)))
        {
          if (n++)
            strbuf_append (&sb, " with ", 6, 128);
          strbuf_append (&sb, w, strlen (w), 128);
        }
      signs += len;
      if (*signs)
        signs += 2;
    }
  list = sb.buf ? sb.buf : xstrdup (privileged_words (e));
  xasprintf (&out,
             "%s together make the container privileged and are refused; drop one of them, or exempt the container "
             "from rule privileged",
             list);
  return out;
}

static const char *
seccomp_words (enum engine e)
{
  if (cli_engine (e))
    return "--security-opt seccomp=unconfined";
  if (e == ENGINE_CRI)
    return "securityContext.seccompProfile Unconfined";
  return "no linux.seccomp";
}

static const char *
user_words (enum engine e)
{
  if (cli_engine (e))
    return "run it with -u UID:GID of the files' owner (or chown them in the image)";
  if (e == ENGINE_CRI)
    return "set securityContext.runAsUser to the files' owner (or chown them in the image)";
  return "set process.user to the files' owner";
}

/* The rule's own message, shortened, with the rule's policy key. */
static char *
generic_clause (const struct finding *fd)
{
  char *out = NULL;
  const char *m = fd->message ? fd->message : "";
  xasprintf (&out, "%.*s (rules.%s)", 2 * PIECE_MAX, m, fd->rule);
  return out;
}

static bool
is_flag_finding (const struct finding *fd)
{
  return fd->path
         && (str_has_prefix (fd->path, "exec --") || str_has_prefix (fd->path, "restore --")
             || str_has_prefix (fd->path, "update --"));
}

static char *
clause_of (const struct finding *fd, const struct json_value *doc, enum engine e, enum prio *prio)
{
  const char *rule = fd->rule ? fd->rule : "";
  const char *msg = fd->message ? fd->message : "";
  char *out = NULL;
  *prio = P_OTHER;

  /* A flag of runc's command line (path "exec --cap"): the rule's message
   * already names the flag the person typed, in runc's words. */
  if (is_flag_finding (fd))
    {
      *prio = P_ENGINE;
      return generic_clause (fd);
    }
  if (strcmp (rule, "privileged") == 0)
    {
      *prio = P_PRIVILEGED;
      return privileged_clause (fd, e);
    }
  if (strcmp (rule, "namespaces") == 0 && ns_mask_of (fd))
    {
      *prio = P_NAMESPACES;
      if (fd->action == ACTION_REWRITE)
        return generic_clause (fd);
      return ns_clause (ns_mask_of (fd), e);
    }
  if (strcmp (rule, "mounts") == 0 && path_index (fd->path, "mounts") >= 0)
    {
      cleanup_free char *src = NULL, *dst = NULL, *words = NULL, *reason = NULL;
      mount_of (fd, doc, &src, &dst);
      if (src && strstr (msg, "cannot be resolved on the host"))
        {
          *prio = P_ENGINE;
          words = mount_words (src, dst, e);
          xasprintf (&out, "%s is refused: host path %s does not exist", words, src);
          return out;
        }
      if (src && (reason = mount_reason (src, msg)))
        {
          *prio = P_MOUNT;
          words = mount_words (src, dst, e);
          xasprintf (&out,
                     "%s is refused: %s; mount a narrower path or a volume, or exempt the container from rule "
                     "mounts",
                     words, reason);
          return out;
        }
      *prio = P_MOUNT;
      xasprintf (&out, "mount at %s: %.*s (rules.mounts)", dst ? dst : "?", 2 * PIECE_MAX, msg);
      return out;
    }
  if (strcmp (rule, "capabilities") == 0)
    {
      cleanup_free char *caps = cap_list (msg);
      cleanup_free char *words = NULL;
      if (caps == NULL)
        return generic_clause (fd);
      *prio = P_CAPS;
      if (fd->action == ACTION_REWRITE)
        xasprintf (&out,
                   "capabilities %s were dropped (not in rules.capabilities.allow): e.g. ping needs NET_RAW; "
                   "add what it needs to rules.capabilities.allow",
                   caps);
      else
        {
          words = caps_words (caps, e);
          xasprintf (&out, "%s is refused: not in rules.capabilities.allow; drop it or add it there", words);
        }
      return out;
    }
  if (strcmp (rule, "devices") == 0)
    {
      *prio = P_DEVICES;
      return generic_clause (fd); /* folded by the caller */
    }
  if (strcmp (rule, "seccomp") == 0 && fd->path && strcmp (fd->path, "linux.seccomp") == 0)
    {
      *prio = P_CONFINEMENT;
      if (fd->action == ACTION_REWRITE)
        xasprintf (&out, "the seccomp profile was replaced with the policy's (rules.seccomp): %.*s", PIECE_MAX, msg);
      else
        xasprintf (&out, "%s is refused: the policy requires a seccomp filter (rules.seccomp); drop it",
                   seccomp_words (e));
      return out;
    }
  if (strcmp (rule, "user") == 0)
    {
      *prio = P_USER;
      if (fd->action == ACTION_REWRITE && fd->path && strstr (fd->path, "user.uid"))
        xasprintf (&out,
                   "the container runs as uid %s instead of root (rules.user.uid): files root owns in the "
                   "image are not writable for it (touch: Permission denied); %s",
                   fd->after ? fd->after : "65534", user_words (e));
      else if (fd->action == ACTION_REWRITE)
        xasprintf (&out, "%.*s (rules.user)", PIECE_MAX, msg);
      else
        xasprintf (&out, "the container would run as root (rules.user); %s", user_words (e));
      return out;
    }
  if (strcmp (rule, "noNewPrivileges") == 0)
    {
      *prio = P_CONFINEMENT;
      xasprintf (&out,
                 "no-new-privileges %s (rules.noNewPrivileges): setuid programs such as su or sudo gain "
                 "nothing; %s",
                 fd->action == ACTION_REWRITE ? "was set" : "is required",
                 "a program that needs setuid needs an exemption from rule noNewPrivileges");
      return out;
    }
  if (strcmp (rule, "sysctls") == 0 && str_has_prefix (msg, "sysctl "))
    {
      const char *name = msg + strlen ("sysctl ");
      size_t len = strcspn (name, " ");
      if (len > PIECE_MAX)
        len = PIECE_MAX;
      xasprintf (&out, "%s%.*s is refused: %.*s (rules.sysctls.allow); drop it",
                 cli_engine (e)    ? "--sysctl "
                 : e == ENGINE_CRI ? "securityContext.sysctls "
                                   : "linux.sysctl ",
                 (int) len, name, 2 * PIECE_MAX, msg);
      return out;
    }
  if (strcmp (rule, "hooks") == 0)
    {
      *prio = P_ENGINE;
      return generic_clause (fd);
    }
  if (strcmp (rule, "cgroups") == 0)
    {
      xasprintf (&out, "%s is refused: %.*s; %s (rules.cgroups)",
                 cli_engine (e)    ? "--cgroup-parent"
                 : e == ENGINE_CRI ? "the pod's cgroup parent (kubelet --cgroup-root)"
                                   : "linux.cgroupsPath",
                 2 * PIECE_MAX, msg,
                 cli_engine (e)
                     ? "drop --cgroup-parent (the engine's default is allowed) or pick one below an allowed parent"
                     : "use a path below an allowed parent");
      return out;
    }
  if (strcmp (rule, "apparmor") == 0 || strcmp (rule, "selinux") == 0 || strcmp (rule, "maskedPaths") == 0)
    *prio = P_CONFINEMENT;
  return generic_clause (fd);
}

char *
refusal_clause (const struct finding *fd, const struct json_value *doc, enum engine e)
{
  enum prio p;
  char *c = clause_of (fd, doc, e, &p);
  if (strcmp (fd->rule ? fd->rule : "", "devices") == 0)
    {
      const char *m = fd->message ? fd->message : "";
      const char *dev = strstr (m, "device /dev/");
      char *out = NULL;
      if (dev && cli_engine (e))
        {
          free (c);
          xasprintf (&out, "--device %.*s (rules.devices.allow)", 2 * PIECE_MAX, dev + strlen ("device "));
          return out;
        }
    }
  return c;
}

/* ---- the message ---- */

/* Devices folded into one clause. */
struct dev_fold
{
  size_t n;             /* distinct linux.devices refused */
  size_t n_rules;       /* cgroup rules refused */
  char *first, *second; /* "/dev/kmsg" */
  char *first_num;      /* "c 1:11" */
  char *first_rule;     /* rendering of the first cgroup rule */
};

static void
dev_add (struct dev_fold *d, const struct finding *fd)
{
  const char *m = fd->message ? fd->message : "";
  const char *p = strstr (m, "device /dev/");
  if (fd->path && str_has_prefix (fd->path, "linux.devices"))
    {
      d->n++;
      if (p)
        {
          const char *start = p + strlen ("device ");
          const char *end = strchr (start, ' ');
          size_t len = end ? (size_t) (end - start) : strlen (start);
          cleanup_free char *name = xstrndup (start, len);
          if (d->first == NULL)
            {
              const char *num = end ? strchr (end, '(') : NULL;
              const char *num_end = num ? strchr (num, ')') : NULL;
              d->first = piece (name);
              if (num && num_end)
                d->first_num = xstrndup (num + 1, (size_t) (num_end - num - 1));
            }
          else if (d->second == NULL)
            d->second = piece (name);
        }
    }
  else
    {
      d->n_rules++;
      if (d->first_rule == NULL)
        {
          const char *a = strstr (m, "allows ");
          const char *end = a ? strstr (a, ", which") : NULL;
          if (a && end)
            d->first_rule = xstrndup (a + strlen ("allows "), (size_t) (end - a - strlen ("allows ")));
          else
            d->first_rule = piece (m);
        }
    }
}

static char *
dev_clause (const struct dev_fold *d, enum engine e)
{
  char *out = NULL;
  const char *flag = cli_engine (e) ? "--device " : e == ENGINE_CRI ? "device " : "linux.devices ";
  if (d->n == 0)
    {
      xasprintf (&out, "%s%s is refused: not in rules.devices.allow; drop it, or add \"%s\" there",
                 cli_engine (e) ? "--device-cgroup-rule " : "device cgroup rule ", d->first_rule ? d->first_rule : "?",
                 d->first_rule ? d->first_rule : "?");
      return out;
    }
  if (d->n == 1)
    xasprintf (&out, "%s%s is refused: %s is not in rules.devices.allow; drop it, or add \"%s\" there", flag,
               d->first ? d->first : "?", d->first_num ? d->first_num : "its number", d->first_num ? d->first_num : "");
  else if (d->n == 2)
    xasprintf (&out, "%s%s and %s%s are refused: not in rules.devices.allow; drop them, or add their numbers there",
               flag, d->first ? d->first : "?", flag, d->second ? d->second : "?");
  else
    xasprintf (&out,
               "%s%s, %s%s and %zu other devices are refused: not in rules.devices.allow; drop them, or add their "
               "numbers there",
               flag, d->first ? d->first : "?", flag, d->second ? d->second : "?", d->n - 2);
  return out;
}

/* Folded under --privileged: what --privileged itself asks for. */
static bool
privileged_implies (const struct finding *fd)
{
  const char *r = fd->rule ? fd->rule : "";
  const char *m = fd->message ? fd->message : "";
  if (strcmp (r, "devices") == 0 || strcmp (r, "capabilities") == 0 || strcmp (r, "seccomp") == 0
      || strcmp (r, "maskedPaths") == 0 || strcmp (r, "apparmor") == 0 || strcmp (r, "selinux") == 0)
    return true;
  /* sysfs and cgroup mounted read-write */
  return strcmp (r, "mounts") == 0 && strstr (m, "is writable") != NULL;
}

/* docker and podman bind the host's /dev/shm for --ipc host. */
static bool
is_ipc_shm (const struct finding *fd, const struct json_value *doc)
{
  cleanup_free char *src = NULL, *dst = NULL;
  if (strcmp (fd->rule ? fd->rule : "", "mounts") != 0 || path_index (fd->path, "mounts") < 0)
    return false;
  mount_of (fd, doc, &src, &dst);
  return str_equal (src, "/dev/shm");
}

char *
refusal_message (const struct findings *f, const struct json_value *doc, enum engine e, const char *policy_path)
{
  struct dev_fold dev = { 0 };
  bool privileged = false, ns_counted = false;
  unsigned ns_mask = 0;
  size_t i, groups = 0;
  enum prio best_prio = P_ENGINE + 1;
  cleanup_free char *best = NULL;
  cleanup_free char *head = NULL, *tail = NULL;
  const char *best_rule = "policy";
  char *msg = NULL;
  size_t room;

  for (i = 0; i < f->n; i++)
    if (is_refusal (&f->v[i]))
      {
        if (strcmp (f->v[i].rule, "privileged") == 0)
          privileged = true;
        else if (strcmp (f->v[i].rule, "namespaces") == 0)
          ns_mask |= ns_mask_of (&f->v[i]);
      }

  for (i = 0; i < f->n; i++)
    {
      const struct finding *fd = &f->v[i];
      enum prio p;
      char *c;
      if (!is_refusal (fd))
        continue;
      if (privileged && strcmp (fd->rule, "privileged") != 0 && privileged_implies (fd))
        continue;
      if ((ns_mask & (1u << 2)) && is_ipc_shm (fd, doc))
        continue; /* part of --ipc host */
      if (strcmp (fd->rule, "devices") == 0)
        {
          if (dev.n + dev.n_rules == 0)
            groups++;
          dev_add (&dev, fd);
          continue;
        }
      if (strcmp (fd->rule, "namespaces") == 0 && ns_mask_of (fd))
        {
          if (ns_counted)
            continue; /* one clause for every host namespace */
          ns_counted = true;
          groups++;
          if (P_NAMESPACES < best_prio)
            {
              free (best);
              best = ns_clause (ns_mask, e);
              best_prio = P_NAMESPACES;
              best_rule = "namespaces";
            }
          continue;
        }
      if (strcmp (fd->rule, "privileged") == 0 && best_prio == P_PRIVILEGED)
        continue;
      groups++;
      c = clause_of (fd, doc, e, &p);
      if (p < best_prio)
        {
          free (best);
          best = c;
          best_prio = p;
          best_rule = fd->rule;
        }
      else
        free (c);
    }
  if (dev.n + dev.n_rules > 0 && P_DEVICES < best_prio)
    {
      free (best);
      best = dev_clause (&dev, e);
      best_prio = P_DEVICES;
      best_rule = "devices";
    }
  free (dev.first);
  free (dev.second);
  free (dev.first_num);
  free (dev.first_rule);
  if (best == NULL)
    best = xstrdup ("the policy refused it");

  xasprintf (&head, "%s: ", best_rule);
  if (groups > 1)
    xasprintf (&tail, " (policy %.*s); and %zu more (secshim check / audit log)", PIECE_MAX,
               policy_path ? policy_path : "?", groups - 1);
  else
    xasprintf (&tail, " (policy %.*s; details: secshim check / audit log)", PIECE_MAX, policy_path ? policy_path : "?");
  /* report_refusal adds "secshim: " (9 bytes) and a newline. */
  room = REFUSAL_MAX_BYTES - 16 - strlen (head) - strlen (tail);
  if (strlen (best) > room)
    {
      size_t n = room - 3;
      while (n > 0 && ((unsigned char) best[n] & 0xC0) == 0x80)
        n--;
      memcpy (best + n, "...", 4);
    }
  xasprintf (&msg, "%s%s%s", head, best, tail);
  return msg;
}
