/* Typed, consuming readers for policy settings: see settings.h. */
#include <errno.h>
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/settings.h"
#include "secshim/util.h"

void
strv_free (struct strv *s)
{
  size_t i;
  if (!s->borrowed)
    {
      for (i = 0; i < s->n; i++)
        free (s->v[i]);
      free (s->v);
    }
  s->v = NULL;
  s->n = 0;
  s->borrowed = false;
}

bool
strv_contains (const struct strv *s, const char *needle)
{
  size_t i;
  for (i = 0; i < s->n; i++)
    if (strcmp (s->v[i], needle) == 0)
      return true;
  return false;
}

struct json_value *
take_raw (struct json_value *obj, const char *key)
{
  return json_take (obj, key);
}

static int
type_error (const char *where, const char *key, const char *expected, secshim_error_t *err)
{
  return secshim_make_error (err, SECSHIM_ECONFIG, "%s.%s: expected %s", where, key, expected);
}

int
take_bool (struct json_value *obj, const char *where, const char *key, bool *out, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *v = take_raw (obj, key);
  if (v == NULL)
    return 0;
  if (v->type != JSON_TRUE && v->type != JSON_FALSE)
    return type_error (where, key, "true or false", err);
  *out = v->type == JSON_TRUE;
  return 0;
}

int
take_u32 (struct json_value *obj, const char *where, const char *key, uint32_t *out, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *v = take_raw (obj, key);
  if (v == NULL)
    return 0;
  if (json_get_u32 (v, out) < 0)
    return type_error (where, key, "an integer from 0 to 4294967295", err);
  return 0;
}

int
take_u64 (struct json_value *obj, const char *where, const char *key, uint64_t *out, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *v = take_raw (obj, key);
  if (v == NULL)
    return 0;
  if (json_get_u64 (v, out) < 0)
    return type_error (where, key, "a non-negative integer", err);
  return 0;
}

int
take_i64 (struct json_value *obj, const char *where, const char *key, int64_t *out, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *v = take_raw (obj, key);
  if (v == NULL)
    return 0;
  if (json_get_i64 (v, out) < 0)
    return type_error (where, key, "an integer", err);
  return 0;
}

int
take_string (struct json_value *obj, const char *where, const char *key, char **out, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *v = take_raw (obj, key);
  if (v == NULL)
    return 0;
  if (v->type != JSON_STRING)
    return type_error (where, key, "a string", err);
  free (*out);
  *out = xstrdup (v->str);
  return 0;
}

int
take_abs_path (struct json_value *obj, const char *where, const char *key, char **out, secshim_error_t *err)
{
  char *s = NULL;
  if (take_string (obj, where, key, &s, err) < 0)
    return -1;
  if (s == NULL)
    return 0;
  if (s[0] != '/')
    {
      secshim_make_error (err, SECSHIM_ECONFIG, "%s.%s: `%s` is not an absolute path", where, key, s);
      free (s);
      return -1;
    }
  free (*out);
  *out = s;
  return 0;
}

int
take_strv (struct json_value *obj, const char *where, const char *key, struct strv *out, secshim_error_t *err)
{
  cleanup_with (json_free) struct json_value *v = take_raw (obj, key);
  size_t i;
  if (v == NULL)
    return 0;
  if (v->type != JSON_ARRAY)
    return type_error (where, key, "an array of strings", err);
  for (i = 0; i < v->count; i++)
    if (v->items[i]->type != JSON_STRING)
      return secshim_make_error (err, SECSHIM_ECONFIG, "%s.%s[%zu]: expected a string", where, key, i);
  strv_free (out);
  out->v = xzalloc ((v->count + 1) * sizeof (char *));
  for (i = 0; i < v->count; i++)
    out->v[i] = xstrdup (v->items[i]->str);
  out->n = v->count;
  return 0;
}

int
take_enum (struct json_value *obj, const char *where, const char *key, const char *const *choices, int *out,
           secshim_error_t *err)
{
  cleanup_free char *s = NULL;
  int i;
  if (take_string (obj, where, key, &s, err) < 0)
    return -1;
  if (s == NULL)
    return 0;
  for (i = 0; choices[i]; i++)
    if (strcmp (s, choices[i]) == 0)
      {
        *out = i;
        return 0;
      }
  return secshim_make_error (err, SECSHIM_ECONFIG, "%s.%s: unknown value `%s`", where, key, s);
}

int
settings_no_leftovers (const struct json_value *obj, const char *where, secshim_error_t *err)
{
  if (json_is (obj, JSON_OBJECT) && obj->count > 0)
    return secshim_make_error (err, SECSHIM_ECONFIG, "%s: unknown key `%s`", where, obj->members[0].key);
  return 0;
}
