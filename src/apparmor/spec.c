/* bane fields: validation, normalisation, and the policy's inline JSON form.
 * See apparmor.h. */
#include <ctype.h>
#include <string.h>

#include "secshim/apparmor.h"
#include "secshim/cleanup.h"
#include "secshim/util.h"

/* The names apparmor_parser 3.0 knows (its abi/3.0 caps mask), in kernel order. */
static const char *const capability_names[] = {
  "chown",
  "dac_override",
  "dac_read_search",
  "fowner",
  "fsetid",
  "kill",
  "setgid",
  "setuid",
  "setpcap",
  "linux_immutable",
  "net_bind_service",
  "net_broadcast",
  "net_admin",
  "net_raw",
  "ipc_lock",
  "ipc_owner",
  "sys_module",
  "sys_rawio",
  "sys_chroot",
  "sys_ptrace",
  "sys_pacct",
  "sys_admin",
  "sys_boot",
  "sys_nice",
  "sys_resource",
  "sys_time",
  "sys_tty_config",
  "mknod",
  "lease",
  "audit_write",
  "audit_control",
  "setfcap",
  "mac_override",
  "mac_admin",
  "syslog",
  "wake_alarm",
  "block_suspend",
  "audit_read",
  "perfmon",
  "bpf",
  "checkpoint_restore",
  NULL,
};

/* Protocols bane files name; the generator maps each to IPv4 and IPv6
 * rules.  A "4" or "6" suffix (secshim's extension) limits it to one. */
static const char *const protocol_names[]
    = { "tcp", "udp", "icmp", "tcp4", "udp4", "icmp4", "tcp6", "udp6", "icmp6", NULL };

#define AA_MAX_NAME 128
#define AA_MAX_PATH 4096

void
aa_spec_free (struct aa_spec *s)
{
  free (s->name);
  s->name = NULL;
  strv_free (&s->read_only_paths);
  strv_free (&s->log_on_write_paths);
  strv_free (&s->writable_paths);
  strv_free (&s->allow_exec);
  strv_free (&s->deny_exec);
  strv_free (&s->protocols);
  strv_free (&s->cap_allow);
  strv_free (&s->cap_deny);
}

bool
aa_profile_name_valid (const char *name)
{
  size_t i, n;
  if (name == NULL || !isalnum ((unsigned char) name[0]) || strcmp (name, "unconfined") == 0)
    return false;
  n = strlen (name);
  if (n > AA_MAX_NAME)
    return false;
  for (i = 1; i < n; i++)
    {
      unsigned char c = (unsigned char) name[i];
      if (!isalnum (c) && c != '.' && c != '_' && c != '-')
        return false;
    }
  return true;
}

static bool
in_list (const char *const *list, const char *s)
{
  size_t i;
  for (i = 0; list[i]; i++)
    if (strcmp (list[i], s) == 0)
      return true;
  return false;
}

/* A path rule's subject.  Globs ({} [] * ? ^) are AppArmor's and pass
 * through; the generator quotes what the rule grammar would misread
 * (spaces, '#', ','), so the only things refused are those a quoted string
 * cannot carry safely: control characters, '"' and '\' (escape sequences
 * whose meaning differs between bane users' expectations and the parser). */
static int
check_path (const char *p, const char *where, const char *field, size_t i, secshim_error_t *err)
{
  size_t k, n = strlen (p);
  if (n == 0)
    return secshim_make_error (err, SECSHIM_EINPUT, "%s.%s[%zu]: empty path", where, field, i);
  if (n > AA_MAX_PATH)
    return secshim_make_error (err, SECSHIM_EINPUT, "%s.%s[%zu]: path longer than %d bytes", where, field, i,
                               AA_MAX_PATH);
  if (p[0] != '/' && !str_has_prefix (p, "@{PROC}/"))
    return secshim_make_error (err, SECSHIM_EINPUT, "%s.%s[%zu]: `%s` must be absolute (start with `/` or `@{PROC}/`)",
                               where, field, i, p);
  if (strstr (p + 1, "@{") != NULL)
    return secshim_make_error (err, SECSHIM_EINPUT,
                               "%s.%s[%zu]: `%s`: only the variable @{PROC} is defined, at the start", where, field, i,
                               p);
  for (k = 0; k < n; k++)
    {
      unsigned char c = (unsigned char) p[k];
      if (c < 0x20 || c == 0x7f)
        return secshim_make_error (err, SECSHIM_EINPUT, "%s.%s[%zu]: control character 0x%02x in path", where, field, i,
                                   c);
      if (c == '"' || c == '\\')
        return secshim_make_error (err, SECSHIM_EINPUT, "%s.%s[%zu]: `%c` is not allowed in a path: `%s`", where, field,
                                   i, c, p);
    }
  return 0;
}

static int
check_paths (const struct strv *v, const char *where, const char *field, secshim_error_t *err)
{
  size_t i;
  for (i = 0; i < v->n; i++)
    if (check_path (v->v[i], where, field, i, err) < 0)
      return -1;
  return 0;
}

/* "CAP_SYS_ADMIN", "SYS_ADMIN" and "sys_admin" all become "sys_admin":
 * docker users write the first two, AppArmor only reads the last. */
static int
normalise_caps (struct strv *v, const char *where, const char *field, secshim_error_t *err)
{
  size_t i, k;
  for (i = 0; i < v->n; i++)
    {
      char *c = v->v[i];
      if (strncasecmp (c, "cap_", 4) == 0)
        memmove (c, c + 4, strlen (c + 4) + 1);
      for (k = 0; c[k]; k++)
        c[k] = (char) tolower ((unsigned char) c[k]);
      if (!in_list (capability_names, c))
        return secshim_make_error (err, SECSHIM_EINPUT, "%s.%s[%zu]: unknown capability `%s`", where, field, i,
                                   v->v[i]);
    }
  return 0;
}

int
aa_spec_check (struct aa_spec *s, const char *where, secshim_error_t *err)
{
  size_t i;
  if (s->name == NULL)
    return secshim_make_error (err, SECSHIM_EINPUT, "%s: `Name` is missing", where);
  if (!aa_profile_name_valid (s->name))
    return secshim_make_error (err, SECSHIM_EINPUT,
                               "%s.Name: `%s` is not a usable profile name (a letter or digit, then letters, "
                               "digits, `.`, `_`, `-`; at most %d bytes; not `unconfined`)",
                               where, s->name, AA_MAX_NAME);
  if (check_paths (&s->read_only_paths, where, "Filesystem.ReadOnlyPaths", err) < 0
      || check_paths (&s->log_on_write_paths, where, "Filesystem.LogOnWritePaths", err) < 0
      || check_paths (&s->writable_paths, where, "Filesystem.WritablePaths", err) < 0
      || check_paths (&s->allow_exec, where, "Filesystem.AllowExec", err) < 0
      || check_paths (&s->deny_exec, where, "Filesystem.DenyExec", err) < 0)
    return -1;
  for (i = 0; i < s->protocols.n; i++)
    if (!in_list (protocol_names, s->protocols.v[i]))
      return secshim_make_error (err, SECSHIM_EINPUT,
                                 "%s.Network.Protocols[%zu]: unknown protocol `%s` (known: tcp, udp, icmp; "
                                 "with 4 or 6 appended for one IP version)",
                                 where, i, s->protocols.v[i]);
  if (normalise_caps (&s->cap_allow, where, "Capabilities.Allow", err) < 0
      || normalise_caps (&s->cap_deny, where, "Capabilities.Deny", err) < 0)
    return -1;
  for (i = 0; i < s->cap_allow.n; i++)
    if (strv_contains (&s->cap_deny, s->cap_allow.v[i]))
      return secshim_make_error (err, SECSHIM_EINPUT, "%s.Capabilities: `%s` is in both Allow and Deny", where,
                                 s->cap_allow.v[i]);
  return 0;
}

/* One bane table as a JSON object: read its keys, refuse leftovers. */
static int
take_table (struct json_value *obj, const char *where, const char *table, struct json_value **out, secshim_error_t *err)
{
  *out = take_raw (obj, table);
  if (*out != NULL && !json_is (*out, JSON_OBJECT))
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s.%s: expected an object", where, table);
  return 0;
}

int
aa_spec_from_json (struct json_value *obj, const char *where, struct aa_spec *out, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *fs = NULL;
  cleanup_with (json_free) struct json_value *net = NULL;
  cleanup_with (json_free) struct json_value *caps = NULL;
  cleanup_free char *w_fs = NULL, *w_net = NULL, *w_caps = NULL;

  if (!json_is (obj, JSON_OBJECT))
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: expected an object", where);
  xasprintf (&w_fs, "%s.Filesystem", where);
  xasprintf (&w_net, "%s.Network", where);
  xasprintf (&w_caps, "%s.Capabilities", where);

  if (take_string (obj, where, "Name", &out->name, err) < 0 || take_table (obj, where, "Filesystem", &fs, err) < 0
      || take_table (obj, where, "Network", &net, err) < 0 || take_table (obj, where, "Capabilities", &caps, err) < 0
      || settings_no_leftovers (obj, where, err) < 0)
    return -1;
  if (fs != NULL
      && (take_strv (fs, w_fs, "ReadOnlyPaths", &out->read_only_paths, err) < 0
          || take_strv (fs, w_fs, "LogOnWritePaths", &out->log_on_write_paths, err) < 0
          || take_strv (fs, w_fs, "WritablePaths", &out->writable_paths, err) < 0
          || take_strv (fs, w_fs, "AllowExec", &out->allow_exec, err) < 0
          || take_strv (fs, w_fs, "DenyExec", &out->deny_exec, err) < 0 || settings_no_leftovers (fs, w_fs, err) < 0))
    return -1;
  if (net != NULL
      && (take_bool (net, w_net, "Raw", &out->raw, err) < 0 || take_bool (net, w_net, "Packet", &out->packet, err) < 0
          || take_strv (net, w_net, "Protocols", &out->protocols, err) < 0
          || settings_no_leftovers (net, w_net, err) < 0))
    return -1;
  if (caps != NULL
      && (take_strv (caps, w_caps, "Allow", &out->cap_allow, err) < 0
          || take_strv (caps, w_caps, "Deny", &out->cap_deny, err) < 0
          || settings_no_leftovers (caps, w_caps, err) < 0))
    return -1;
  return aa_spec_check (out, where, err);
}
