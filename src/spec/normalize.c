/* spec_normalize: check a parsed document against the runtime-spec schema
 * with encoding/json's rules, and drop null-valued known fields (spec.h).
 *
 * Recursion follows the schema, not the input: only known struct, array
 * and map fields are descended, so the depth is bounded by the schema's
 * nesting (Spec > linux > resources > blockIO > weightDevice[] > entry). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "secshim/cleanup.h"
#include "secshim/json-path.h"
#include "secshim/json.h"
#include "secshim/spec.h"
#include "secshim/util.h"

#include "schema.h"

/* One step from the root to the value being checked: a member key or an
 * array index.  The dotted path is only built from these when an error is
 * reported: building it for every value visited was a quarter of checking
 * a docker config. */
struct walk_step
{
  const char *key; /* NULL for an array index */
  size_t key_len;
  size_t index;
};

struct walk
{
  struct walk_step *steps;
  size_t depth;
  size_t cap;
  struct strbuf path; /* built by walk_path, for messages only */
  secshim_error_t *err;
};

static void
walk_push (struct walk *w, const char *key, size_t key_len, size_t index)
{
  if (w->depth == w->cap)
    {
      w->cap = w->cap ? w->cap * 2 : 16;
      w->steps = xreallocarray (w->steps, w->cap, sizeof *w->steps);
    }
  w->steps[w->depth++] = (struct walk_step){ key, key_len, index };
}

static void
walk_pop (struct walk *w)
{
  w->depth--;
}

/* The dotted path of the value being checked, "top level" at the root.
 * Valid until the next call. */
static const char *
walk_path (struct walk *w)
{
  json_pathbuf_truncate (&w->path, 0);
  for (size_t i = 0; i < w->depth; i++)
    if (w->steps[i].key != NULL)
      json_pathbuf_add_key (&w->path, w->steps[i].key, w->steps[i].key_len);
    else
      json_pathbuf_add_index (&w->path, w->steps[i].index);
  return json_pathbuf_str (&w->path);
}

static int check_value (struct walk *w, struct json_value *v, enum schema_kind kind, enum schema_kind elem,
                        const struct schema_struct *sub);

static const char *
json_type_name (const struct json_value *v)
{
  switch (v->type)
    {
    case JSON_NULL:
      return "null";
    case JSON_FALSE:
    case JSON_TRUE:
      return "bool";
    case JSON_NUMBER:
      return "number";
    case JSON_STRING:
      return "string";
    case JSON_OBJECT:
      return "object";
    case JSON_ARRAY:
      return "array";
    }
  return "value";
}

static const char *
kind_name (enum schema_kind kind)
{
  switch (kind)
    {
    case SK_STRING:
      return "string";
    case SK_BOOL:
      return "bool";
    case SK_INT64:
      return "int64";
    case SK_INT32:
      return "int32";
    case SK_UINT16:
      return "uint16";
    case SK_UINT32:
      return "uint32";
    case SK_UINT64:
      return "uint64";
    case SK_STRUCT:
      return "object";
    case SK_ARRAY:
      return "array";
    case SK_MAP_STRING:
      return "object of strings";
    case SK_MAP_STRUCT:
      return "object of objects";
    case SK_ANY:
      return "any value";
    }
  return "value";
}

static int
walk_fail_type (struct walk *w, const struct json_value *v, enum schema_kind kind)
{
  return secshim_make_error (w->err, SECSHIM_EINPUT, "%s: expected %s, got %s", walk_path (w), kind_name (kind),
                             json_type_name (v));
}

/* ---- Go's key folding ---- */

/* Fold a key the way encoding/json matches struct field names: ASCII case,
 * plus the two non-ASCII runes whose SimpleFold orbit reaches an ASCII
 * letter: U+017F LATIN SMALL LETTER LONG S (s) and U+212A KELVIN SIGN (k).
 * Other non-ASCII bytes are kept: they cannot fold onto an ASCII field
 * name, and runc ignores unknown fields anyway. */
static char *
go_fold (const char *key, size_t len)
{
  char *out = xmalloc (len + 1);
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) key[i];
      if (c >= 'A' && c <= 'Z')
        out[n++] = (char) (c - 'A' + 'a');
      else if (c == 0xC5 && i + 1 < len && (unsigned char) key[i + 1] == 0xBF)
        {
          out[n++] = 's';
          i++;
        }
      else if (c == 0xE2 && i + 2 < len && (unsigned char) key[i + 1] == 0x84 && (unsigned char) key[i + 2] == 0xAA)
        {
          out[n++] = 'k';
          i += 2;
        }
      else
        out[n++] = (char) c;
    }
  out[n] = '\0';
  return out;
}

/* The next byte of key[*i..len) as go_fold writes it; advances *i. */
static unsigned char
go_fold_next (const char *key, size_t len, size_t *i)
{
  unsigned char c = (unsigned char) key[*i];
  if (c >= 'A' && c <= 'Z')
    c = (unsigned char) (c - 'A' + 'a');
  else if (c == 0xC5 && *i + 1 < len && (unsigned char) key[*i + 1] == 0xBF)
    {
      c = 's';
      (*i)++;
    }
  else if (c == 0xE2 && *i + 2 < len && (unsigned char) key[*i + 1] == 0x84 && (unsigned char) key[*i + 2] == 0xAA)
    {
      c = 'k';
      *i += 2;
    }
  (*i)++;
  return c;
}

/* go_fold (a) equals go_fold (b), without building either. */
static bool
go_fold_equal (const char *a, size_t alen, const char *b, size_t blen)
{
  size_t i = 0, j = 0;
  while (i < alen && j < blen)
    if (go_fold_next (a, alen, &i) != go_fold_next (b, blen, &j))
      return false;
  return i == alen && j == blen;
}

/* Whether any two keys of obj fold together, pair by pair: for the few
 * members of a real struct object this is much cheaper than folding and
 * sorting copies, which check_fold_duplicates then does only to name the
 * pair. */
#define FOLD_PAIRWISE_MAX 32

static bool
may_have_fold_duplicates (const struct json_value *obj)
{
  if (obj->count > FOLD_PAIRWISE_MAX)
    return true;
  for (size_t i = 0; i < obj->count; i++)
    for (size_t j = i + 1; j < obj->count; j++)
      if (go_fold_equal (obj->members[i].key, obj->members[i].key_len, obj->members[j].key, obj->members[j].key_len))
        return true;
  return false;
}

struct folded_key
{
  char *folded;
  size_t index;
};

static int
folded_key_cmp (const void *a, const void *b)
{
  const struct folded_key *x = a, *y = b;
  int c = strcmp (x->folded, y->folded);
  if (c != 0)
    return c;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Two keys of one struct object that fold together are one field to Go,
 * which keeps the last (and merges objects): refuse the pair. */
static int
check_fold_duplicates (struct walk *w, const struct json_value *obj)
{
  struct folded_key *keys;
  int ret = 0;

  if (obj->count < 2 || !may_have_fold_duplicates (obj))
    return 0;
  keys = xreallocarray (NULL, obj->count, sizeof *keys);
  for (size_t i = 0; i < obj->count; i++)
    {
      keys[i].folded = go_fold (obj->members[i].key, obj->members[i].key_len);
      keys[i].index = i;
    }
  qsort (keys, obj->count, sizeof *keys, folded_key_cmp);
  for (size_t i = 1; i < obj->count && ret == 0; i++)
    if (strcmp (keys[i - 1].folded, keys[i].folded) == 0)
      {
        const struct json_member *a = &obj->members[keys[i - 1].index];
        const struct json_member *b = &obj->members[keys[i].index];
        cleanup_free char *qa = json_quote_key (a->key, a->key_len);
        cleanup_free char *qb = json_quote_key (b->key, b->key_len);
        ret = secshim_make_error (w->err, SECSHIM_EINPUT, "%s: keys `%s` and `%s` are the same field to Go's decoder",
                                  walk_path (w), qa, qb);
      }
  for (size_t i = 0; i < obj->count; i++)
    free (keys[i].folded);
  free (keys);
  return ret;
}

/* ---- structs ---- */

static const struct schema_field *
find_field (const struct schema_struct *s, const struct json_member *m)
{
  for (size_t i = 0; i < s->nfields; i++)
    if (s->fields[i].name_len == m->key_len && memcmp (s->fields[i].name, m->key, m->key_len) == 0)
      return &s->fields[i];
  return NULL;
}

static const struct schema_field *
find_field_folded (const struct schema_struct *s, const struct json_member *m)
{
  cleanup_free char *folded = go_fold (m->key, m->key_len);
  for (size_t i = 0; i < s->nfields; i++)
    {
      cleanup_free char *name = go_fold (s->fields[i].name, strlen (s->fields[i].name));
      if (strcmp (name, folded) == 0)
        return &s->fields[i];
    }
  return NULL;
}

/* The field a key names to Go's decoder: the exact name first, else the
 * one it folds onto (encoding/json: "preferring an exact match but also
 * accepting a case-insensitive match"). */
static const struct schema_field *
field_of (const struct schema_struct *s, const struct json_member *m)
{
  const struct schema_field *f = find_field (s, m);
  return f ? f : find_field_folded (s, m);
}

/* Fold later member `from` into the earlier `into`, both naming field f,
 * the way Go decodes the second into the same field: an object into the
 * struct the first made (its keys merge, later ones win, as check_struct
 * on the result then models), a scalar or an array replaces (Go resets a
 * slice before appending).  What depends on Go's nil handling (a null) or
 * fails in Go (a type change) is refused.  Returns 0 when merged. */
static int
merge_member (struct walk *w, struct json_member *into, struct json_member *from, const struct schema_field *f)
{
  struct json_value *a = into->value, *b = from->value;
  bool booleans = (a->type == JSON_TRUE || a->type == JSON_FALSE) && (b->type == JSON_TRUE || b->type == JSON_FALSE);
  if (a->type == JSON_NULL || b->type == JSON_NULL || (a->type != b->type && !booleans)
      || (f->kind != SK_STRUCT && (a->type == JSON_OBJECT || f->kind == SK_ANY)))
    {
      cleanup_free char *qa = json_quote_key (into->key, into->key_len);
      cleanup_free char *qb = json_quote_key (from->key, from->key_len);
      return secshim_make_error (w->err, SECSHIM_EINPUT,
                                 "%s: keys `%s` and `%s` are the same field to Go's decoder, which would merge "
                                 "them in a way secshim does not model (a null, a type change or a map)",
                                 walk_path (w), qa, qb);
    }
  if (f->kind == SK_STRUCT && a->type != JSON_OBJECT)
    {
      /* Go cannot decode a non-object into a struct: runc refuses it */
      cleanup_free char *qa = json_quote_key (into->key, into->key_len);
      return secshim_make_error (w->err, SECSHIM_EINPUT, "%s: `%s` must be an object", walk_path (w), qa);
    }
  if (f->kind == SK_STRUCT)
    {
      json_object_move_members (a, b);
      json_free (b);
    }
  else
    {
      json_free (a);
      into->value = b;
    }
  from->value = NULL;
  return 0;
}

/* Go reads `cpu` and `CPU` in one struct as one field: rename every key to
 * the field it names and merge the members that name the same one, in
 * document order, so that the rules judge and runc reads the same value
 * (runc's own tests write a config with both).  Keys no field takes stay:
 * runc ignores them. */
static int
merge_folded_fields (struct walk *w, struct json_value *obj, const struct schema_struct *s)
{
  cleanup_free size_t *first = xreallocarray (NULL, s->nfields + 1, sizeof *first);
  size_t i;

  for (i = 0; i < s->nfields; i++)
    first[i] = SIZE_MAX;
  for (i = 0; i < obj->count;)
    {
      struct json_member *m = &obj->members[i];
      const struct schema_field *f = field_of (s, m);
      size_t fi;
      if (f == NULL)
        {
          i++;
          continue;
        }
      fi = (size_t) (f - s->fields);
      if (first[fi] == SIZE_MAX)
        {
          if (strcmp (m->key, f->name) != 0)
            json_object_rename_at (obj, i, f->name);
          first[fi] = i++;
          continue;
        }
      if (merge_member (w, &obj->members[first[fi]], m, f) < 0)
        return -1;
      json_object_remove_at (obj, i);
    }
  return 0;
}

/* Every key names a different field exactly, as in nearly every object
 * of a real config: then no two keys fold together, because no two field
 * names of one struct do (tests/unit/test_spec.c checks the schema), and
 * the pairwise fold check can be skipped.  The fields go to known[]. */
static bool
keys_name_distinct_fields (const struct json_value *obj, const struct schema_struct *s,
                           const struct schema_field *known[FOLD_PAIRWISE_MAX])
{
  uint64_t seen = 0;
  if (s->nfields > 64 || obj->count > FOLD_PAIRWISE_MAX)
    return false;
  for (size_t i = 0; i < obj->count; i++)
    {
      const struct schema_field *f = find_field (s, &obj->members[i]);
      uint64_t bit;
      if (f == NULL)
        return false;
      bit = UINT64_C (1) << (f - s->fields);
      if (seen & bit)
        return false;
      seen |= bit;
      known[i] = f;
    }
  return true;
}

/* A string or a bool where one is expected: checked without a step. */
static bool
plain_scalar_ok (const struct json_value *v, enum schema_kind kind)
{
  return (kind == SK_STRING && v->type == JSON_STRING)
         || (kind == SK_BOOL && (v->type == JSON_TRUE || v->type == JSON_FALSE));
}

static int
check_struct (struct walk *w, struct json_value *obj, const struct schema_struct *s)
{
  const struct schema_field *known[FOLD_PAIRWISE_MAX];
  bool all_known = keys_name_distinct_fields (obj, s, known);

  /* without two keys that fold together there is nothing to merge, and
   * nothing left for check_fold_duplicates to find */
  if (obj->count > 1 && !all_known && may_have_fold_duplicates (obj)
      && (merge_folded_fields (w, obj, s) < 0 || check_fold_duplicates (w, obj) < 0))
    return -1;

  /* k: the member's index when known[] was filled (a removal keeps i) */
  for (size_t i = 0, k = 0; i < obj->count; k++)
    {
      struct json_member *m = &obj->members[i];
      const struct schema_field *f = all_known ? known[k] : find_field (s, m);
      if (f == NULL)
        {
          const struct schema_field *g = find_field_folded (s, m);
          if (g != NULL)
            {
              /* A lone folded key: the field it names, as Go reads it. */
              json_object_rename_at (obj, i, g->name);
              continue;
            }
          /* unknown: runc ignores it, the round trip keeps it */
          i++;
          continue;
        }
      /* null is "absent" to Go (nil pointer/slice/map, or an untouched
       * zero value), and duplicates are refused, so absent it becomes */
      if (m->value->type == JSON_NULL)
        {
          json_object_remove_at (obj, i);
          continue;
        }
      if (!plain_scalar_ok (m->value, f->kind))
        {
          walk_push (w, m->key, m->key_len, 0);
          int ret = check_value (w, m->value, f->kind, f->elem, f->sub);
          walk_pop (w);
          if (ret < 0)
            return ret;
        }
      i++;
    }
  return 0;
}

/* ---- scalars ---- */

static int
check_integer (struct walk *w, const struct json_value *v, enum schema_kind kind)
{
  uint64_t u = 0;
  int64_t s = 0;
  int ret;
  uint64_t umax = 0;

  if (v->type != JSON_NUMBER)
    return walk_fail_type (w, v, kind);
  switch (kind)
    {
    case SK_INT64:
    case SK_INT32:
      ret = json_get_i64 (v, &s);
      if (ret == 0 && kind == SK_INT32 && (s < INT32_MIN || s > INT32_MAX))
        {
          errno = ERANGE;
          ret = -1;
        }
      break;
    default:
      umax = kind == SK_UINT16 ? UINT16_MAX : kind == SK_UINT32 ? UINT32_MAX : UINT64_MAX;
      ret = json_get_u64 (v, &u);
      if (ret == 0 && u > umax)
        {
          errno = ERANGE;
          ret = -1;
        }
      break;
    }
  if (ret == 0)
    return 0;
  cleanup_free char *shown = json_render_short (v, 40);
  if (errno == ERANGE)
    return secshim_make_error (w->err, SECSHIM_EINPUT, "%s: %s is out of range for %s", walk_path (w), shown,
                               kind_name (kind));
  return secshim_make_error (w->err, SECSHIM_EINPUT, "%s: %s is not a valid %s (Go accepts only %s)", walk_path (w),
                             shown, kind_name (kind),
                             kind == SK_INT64 || kind == SK_INT32 ? "an optional '-' and digits" : "digits");
}

/* ---- containers ---- */

static int
check_array (struct walk *w, struct json_value *arr, enum schema_kind elem, const struct schema_struct *sub)
{
  int ret = 0;
  if (arr->type != JSON_ARRAY)
    return walk_fail_type (w, arr, SK_ARRAY);
  /* one step for every element, its index updated in place */
  walk_push (w, NULL, 0, 0);
  for (size_t i = 0; i < arr->count && ret == 0; i++)
    {
      const struct json_value *v = arr->items[i];
      /* the common case, a string of a []string, without a call */
      if (elem == SK_STRING && v->type == JSON_STRING)
        continue;
      w->steps[w->depth - 1].index = i;
      /* Go would store a zero value: a policy must not see null there */
      if (v->type == JSON_NULL)
        ret = secshim_make_error (w->err, SECSHIM_EINPUT, "%s: null element in array", walk_path (w));
      else
        ret = check_value (w, arr->items[i], elem, 0, sub);
    }
  walk_pop (w);
  return ret;
}

/* Map keys are compared exactly by Go: no folding here. */
static int
check_map (struct walk *w, struct json_value *obj, enum schema_kind kind, const struct schema_struct *sub)
{
  if (obj->type != JSON_OBJECT)
    return walk_fail_type (w, obj, kind);
  for (size_t i = 0; i < obj->count; i++)
    {
      struct json_member *m = &obj->members[i];
      int ret;
      walk_push (w, m->key, m->key_len, 0);
      if (m->value->type == JSON_NULL)
        ret = secshim_make_error (w->err, SECSHIM_EINPUT, "%s: null map value", walk_path (w));
      else
        ret = check_value (w, m->value, kind == SK_MAP_STRING ? SK_STRING : SK_STRUCT, 0, sub);
      walk_pop (w);
      if (ret < 0)
        return ret;
    }
  return 0;
}

static int
check_value (struct walk *w, struct json_value *v, enum schema_kind kind, enum schema_kind elem,
             const struct schema_struct *sub)
{
  switch (kind)
    {
    case SK_STRING:
      return v->type == JSON_STRING ? 0 : walk_fail_type (w, v, kind);
    case SK_BOOL:
      return v->type == JSON_TRUE || v->type == JSON_FALSE ? 0 : walk_fail_type (w, v, kind);
    case SK_INT64:
    case SK_INT32:
    case SK_UINT16:
    case SK_UINT32:
    case SK_UINT64:
      return check_integer (w, v, kind);
    case SK_STRUCT:
      return v->type == JSON_OBJECT ? check_struct (w, v, sub) : walk_fail_type (w, v, kind);
    case SK_ARRAY:
      return check_array (w, v, elem, sub);
    case SK_MAP_STRING:
    case SK_MAP_STRUCT:
      return check_map (w, v, kind, sub);
    case SK_ANY:
      return 0;
    }
  return 0;
}

int
spec_normalize (struct json_value *doc, enum spec_kind kind, secshim_error_t *err)
{
  const struct schema_struct *root;
  struct walk w = { .err = err };
  int ret;

  switch (kind)
    {
    case SPEC_CONFIG:
      root = &schema_spec;
      break;
    case SPEC_PROCESS:
      root = &schema_process;
      break;
    case SPEC_RESOURCES:
      root = &schema_linux_resources;
      break;
    default:
      return secshim_make_error (err, EINVAL, "spec: unknown document kind %d", (int) kind);
    }
  /* runc refuses a null config ("config cannot be null"); anything else
   * than an object fails to decode into a struct */
  if (doc == NULL || doc->type != JSON_OBJECT)
    return secshim_make_error (err, SECSHIM_EINPUT, "top level: expected object (%s), got %s", root->go_name,
                               doc ? json_type_name (doc) : "nothing");
  ret = check_struct (&w, doc, root);
  json_pathbuf_release (&w.path);
  free (w.steps);
  return ret;
}
