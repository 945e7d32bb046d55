/* json_value constructors, accessors and typed reads (json.h).  Walks
 * that visit a whole tree (free, clone, equal) use explicit stacks, so a
 * deep tree built by code cannot exhaust the C stack either. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secshim/json.h"
#include "secshim/util.h"

#include "node.h"

/* ---- a small growable stack of pointers ---- */

/* It starts in place: most trees freed, cloned or compared are a few
 * values (a rule's replaced member), and a malloc for each was a tenth of
 * json_free. */
struct ptrstack
{
  const void **items;
  size_t len;
  size_t cap;
  const void *first[32];
};

static void
ptrstack_init (struct ptrstack *s)
{
  s->items = s->first;
  s->len = 0;
  s->cap = sizeof s->first / sizeof *s->first;
}

static void
ptrstack_release (struct ptrstack *s)
{
  if (s->items != s->first)
    free (s->items);
}

static void
ptrstack_push (struct ptrstack *s, const void *p)
{
  if (s->len == s->cap)
    {
      const void **items = xreallocarray (s->items == s->first ? NULL : s->items, s->cap * 2, sizeof *s->items);
      if (s->items == s->first)
        memcpy (items, s->first, sizeof s->first);
      s->items = items;
      s->cap *= 2;
    }
  s->items[s->len++] = p;
}

static const void *
ptrstack_pop (struct ptrstack *s)
{
  return s->len ? s->items[--s->len] : NULL;
}

/* ---- constructors ---- */

static struct json_value *
value_new (enum json_type type)
{
  struct json_value *v = xzalloc (sizeof *v);
  v->type = type;
  return v;
}

struct json_value *
json_new_null (void)
{
  return value_new (JSON_NULL);
}

struct json_value *
json_new_bool (bool b)
{
  return value_new (b ? JSON_TRUE : JSON_FALSE);
}

struct json_value *
json_node_new_text (enum json_type type, const char *s, size_t len)
{
  if (len > SIZE_MAX - sizeof (struct json_value) - 1)
    abort ();
  struct json_value *v = xmalloc (sizeof *v + len + 1);
  char *copy = (char *) (v + 1);
  memcpy (copy, s, len);
  copy[len] = '\0';
  *v = (struct json_value){ .type = type, .str = copy, .len = len, .cap = JSON_TEXT_INLINE };
  return v;
}

struct json_value *
json_new_stringn (const char *s, size_t len)
{
  return json_node_new_text (JSON_STRING, s, len);
}

struct json_value *
json_new_string (const char *s)
{
  return json_new_stringn (s, strlen (s));
}

static struct json_value *
number_from_text (const char *text)
{
  return json_node_new_text (JSON_NUMBER, text, strlen (text));
}

struct json_value *
json_new_u64 (uint64_t n)
{
  char tmp[32];
  snprintf (tmp, sizeof tmp, "%" PRIu64, n);
  return number_from_text (tmp);
}

struct json_value *
json_new_i64 (int64_t n)
{
  char tmp[32];
  snprintf (tmp, sizeof tmp, "%" PRId64, n);
  return number_from_text (tmp);
}

static const char *
skip_digits (const char *s)
{
  while (*s >= '0' && *s <= '9')
    s++;
  return s;
}

/* RFC 8259 number grammar. */
static bool
is_json_number (const char *s)
{
  if (*s == '-')
    s++;
  if (*s == '0')
    s++;
  else if (*s >= '1' && *s <= '9')
    s = skip_digits (s);
  else
    return false;
  if (*s == '.')
    {
      const char *d = ++s;
      s = skip_digits (s);
      if (s == d)
        return false;
    }
  if (*s == 'e' || *s == 'E')
    {
      s++;
      if (*s == '+' || *s == '-')
        s++;
      const char *d = s;
      s = skip_digits (s);
      if (s == d)
        return false;
    }
  return *s == '\0';
}

struct json_value *
json_new_number_lexeme (const char *lexeme)
{
  /* The writer emits the lexeme verbatim: an invalid one would make
   * config.json unreadable to runc.  This is a programming error. */
  if (!is_json_number (lexeme))
    {
      fprintf (stderr, "secshim: internal error: invalid JSON number lexeme\n");
      abort ();
    }
  return number_from_text (lexeme);
}

struct json_value *
json_new_object (void)
{
  return value_new (JSON_OBJECT);
}

struct json_value *
json_new_array (void)
{
  return value_new (JSON_ARRAY);
}

/* ---- free, clone, equal ---- */

void
json_free (struct json_value *v)
{
  struct ptrstack todo;
  if (v == NULL)
    return;
  ptrstack_init (&todo);
  ptrstack_push (&todo, v);
  while ((v = (struct json_value *) ptrstack_pop (&todo)) != NULL)
    {
      if (v->type == JSON_OBJECT)
        for (size_t i = 0; i < v->count; i++)
          {
            if (v->arena == NULL)
              free ((char *) v->members[i].key);
            if (v->members[i].value)
              ptrstack_push (&todo, v->members[i].value);
          }
      else if (v->type == JSON_ARRAY)
        for (size_t i = 0; i < v->count; i++)
          if (v->items[i])
            ptrstack_push (&todo, v->items[i]);
      if (!json_node_text_is_inline (v))
        free ((char *) v->str);
      if (!(v->flags & JSON_FLAG_CHILDREN_IN_ARENA))
        {
          free (v->members);
          free (v->items);
        }
      /* last: the arena may hold this node's keys and arrays */
      if (v->arena)
        json_arena_unref (v->arena);
      else
        free (v);
    }
  ptrstack_release (&todo);
}

/* A copy of v's own data; containers get sized child arrays whose entries
 * the caller fills. */
static struct json_value *
clone_shallow (const struct json_value *v)
{
  if (v->str && (v->type == JSON_STRING || v->type == JSON_NUMBER))
    {
      struct json_value *c = json_node_new_text (v->type, v->str, v->len);
      /* the same text, inline in c too */
      if (v->type == JSON_STRING && json_node_text_plain (v))
        c->flags |= JSON_FLAG_TEXT_PLAIN;
      return c;
    }
  struct json_value *c = value_new (v->type);
  c->count = c->cap = v->count;
  c->flags = v->flags & JSON_FLAG_KEYS_PLAIN; /* the same keys */
  if (v->type == JSON_OBJECT && v->count)
    {
      c->members = xreallocarray (NULL, v->count, sizeof *c->members);
      for (size_t i = 0; i < v->count; i++)
        {
          c->members[i].key = xstrndup (v->members[i].key, v->members[i].key_len);
          c->members[i].key_len = v->members[i].key_len;
          c->members[i].value = NULL;
        }
    }
  else if (v->type == JSON_ARRAY && v->count)
    c->items = xzalloc (v->count * sizeof *c->items);
  return c;
}

struct json_value *
json_clone (const struct json_value *v)
{
  struct ptrstack todo;
  struct json_value *root;
  if (v == NULL)
    return NULL;
  root = clone_shallow (v);
  ptrstack_init (&todo);
  ptrstack_push (&todo, v);
  ptrstack_push (&todo, root);
  while (todo.len)
    {
      struct json_value *dst = (struct json_value *) ptrstack_pop (&todo);
      const struct json_value *src = ptrstack_pop (&todo);
      for (size_t i = 0; i < src->count; i++)
        {
          const struct json_value *child = src->type == JSON_OBJECT ? src->members[i].value : src->items[i];
          struct json_value *copy = clone_shallow (child);
          if (src->type == JSON_OBJECT)
            dst->members[i].value = copy;
          else
            dst->items[i] = copy;
          if (child->count)
            {
              ptrstack_push (&todo, child);
              ptrstack_push (&todo, copy);
            }
        }
    }
  ptrstack_release (&todo);
  return root;
}

static bool
equal_shallow (const struct json_value *a, const struct json_value *b)
{
  if (a->type != b->type)
    return false;
  switch (a->type)
    {
    case JSON_STRING:
    case JSON_NUMBER:
      return a->len == b->len && memcmp (a->str, b->str, a->len) == 0;
    case JSON_OBJECT:
      if (a->count != b->count)
        return false;
      for (size_t i = 0; i < a->count; i++)
        if (a->members[i].key_len != b->members[i].key_len
            || memcmp (a->members[i].key, b->members[i].key, a->members[i].key_len) != 0)
          return false;
      return true;
    case JSON_ARRAY:
      return a->count == b->count;
    default:
      return true;
    }
}

bool
json_equal (const struct json_value *a, const struct json_value *b)
{
  struct ptrstack todo;
  bool equal = true;
  if (a == NULL || b == NULL)
    return a == b;
  ptrstack_init (&todo);
  ptrstack_push (&todo, a);
  ptrstack_push (&todo, b);
  while (equal && todo.len)
    {
      const struct json_value *y = ptrstack_pop (&todo);
      const struct json_value *x = ptrstack_pop (&todo);
      if (!equal_shallow (x, y))
        {
          equal = false;
          break;
        }
      for (size_t i = 0; i < x->count; i++)
        {
          ptrstack_push (&todo, x->type == JSON_OBJECT ? x->members[i].value : x->items[i]);
          ptrstack_push (&todo, y->type == JSON_OBJECT ? y->members[i].value : y->items[i]);
        }
    }
  ptrstack_release (&todo);
  return equal;
}

/* ---- objects ---- */

/* Whether a[0..len) == b[0..len).  Keys are short: two overlapping loads
 * compare one of up to 16 bytes without calling memcmp. */
static inline bool
key_equal (const char *a, const char *b, size_t len)
{
  uint64_t x0, x1, y0, y1;
  uint32_t u0, u1, w0, w1;
  if (len > 16)
    return memcmp (a, b, len) == 0;
  if (len >= 8)
    {
      memcpy (&x0, a, 8);
      memcpy (&y0, b, 8);
      memcpy (&x1, a + len - 8, 8);
      memcpy (&y1, b + len - 8, 8);
      return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
  if (len >= 4)
    {
      memcpy (&u0, a, 4);
      memcpy (&w0, b, 4);
      memcpy (&u1, a + len - 4, 4);
      memcpy (&w1, b + len - 4, 4);
      return ((u0 ^ w0) | (u1 ^ w1)) == 0;
    }
  for (size_t i = 0; i < len; i++)
    if (a[i] != b[i])
      return false;
  return true;
}

static struct json_member *
find_member (const struct json_value *obj, const char *key, size_t len, size_t *index)
{
  if (!json_is (obj, JSON_OBJECT) || key == NULL)
    return NULL;
  for (size_t i = 0; i < obj->count; i++)
    if (obj->members[i].key_len == len && key_equal (obj->members[i].key, key, len))
      {
        if (index)
          *index = i;
        return &obj->members[i];
      }
  return NULL;
}

struct json_value *
json_get (const struct json_value *obj, const char *key)
{
  struct json_member *m = find_member (obj, key, key ? strlen (key) : 0, NULL);
  return m ? m->value : NULL;
}

struct json_value *
json_get_n (const struct json_value *obj, const char *key, size_t len)
{
  struct json_member *m = find_member (obj, key, len, NULL);
  return m ? m->value : NULL;
}

struct json_value *
json_get_path (const struct json_value *root, const char *dotted)
{
  const struct json_value *cur = root;
  const char *p = dotted;
  char *step = NULL;

  if (dotted == NULL)
    return NULL;
  while (cur != NULL)
    {
      const char *dot = strchr (p, '.');
      size_t n = dot ? (size_t) (dot - p) : strlen (p);
      step = xstrndup (p, n);
      cur = json_get (cur, step);
      free (step);
      if (dot == NULL)
        break;
      p = dot + 1;
    }
  return (struct json_value *) cur;
}

/* A copy of key[0..len) owned by obj: arena memory for an arena object. */
static char *
key_copy (const struct json_value *obj, const char *key, size_t len)
{
  if (obj->arena == NULL)
    return xstrndup (key, len);
  char *k = json_arena_alloc (obj->arena, len + 1);
  memcpy (k, key, len);
  k[len] = '\0';
  return k;
}

static void
key_release (const struct json_value *obj, const char *key)
{
  if (obj->arena == NULL)
    free ((char *) key);
}

/* true if key[0..len) is printable ASCII without '"' or '\\': written as it
 * is (JSON_FLAG_KEYS_PLAIN, node.h).  Keys added by code are short. */
static bool
key_is_plain (const char *key, size_t len)
{
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) key[i];
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
        return false;
    }
  return true;
}

/* obj's member i got a new key. */
static void
keys_plain_update (struct json_value *obj, size_t i)
{
  if (!key_is_plain (obj->members[i].key, obj->members[i].key_len))
    obj->flags &= ~JSON_FLAG_KEYS_PLAIN;
}

/* Room for one more member or item.  Arena arrays are exact-size: the
 * first growth moves them to the heap. */
static void
children_grow (struct json_value *v)
{
  size_t size = v->type == JSON_OBJECT ? sizeof *v->members : sizeof *v->items;
  void **arr = v->type == JSON_OBJECT ? (void **) &v->members : (void **) &v->items;
  size_t cap;
  if (v->count < v->cap)
    return;
  cap = v->cap ? v->cap * 2 : 8;
  if (v->flags & JSON_FLAG_CHILDREN_IN_ARENA)
    {
      void *heap = xreallocarray (NULL, cap, size);
      memcpy (heap, *arr, v->count * size);
      *arr = heap;
      v->flags &= ~JSON_FLAG_CHILDREN_IN_ARENA;
    }
  else
    *arr = xreallocarray (*arr, cap, size);
  v->cap = cap;
}

void
json_set (struct json_value *obj, const char *key, struct json_value *val)
{
  struct json_member *m = find_member (obj, key, key ? strlen (key) : 0, NULL);
  if (obj == NULL || obj->type != JSON_OBJECT)
    abort ();
  if (m)
    {
      json_free (m->value);
      m->value = val;
      return;
    }
  size_t len = strlen (key);
  children_grow (obj);
  obj->members[obj->count].key = key_copy (obj, key, len);
  obj->members[obj->count].key_len = len;
  obj->members[obj->count].value = val;
  keys_plain_update (obj, obj->count);
  obj->count++;
}

struct json_value *
json_get_or_add_object (struct json_value *obj, const char *key)
{
  struct json_value *v = json_get (obj, key);
  if (v != NULL && v->type != JSON_NULL)
    return v->type == JSON_OBJECT ? v : NULL;
  v = json_new_object ();
  json_set (obj, key, v);
  return v;
}

struct json_value *
json_object_take_at (struct json_value *obj, size_t i)
{
  struct json_value *v;
  if (!json_is (obj, JSON_OBJECT) || i >= obj->count)
    return NULL;
  v = obj->members[i].value;
  key_release (obj, obj->members[i].key);
  memmove (&obj->members[i], &obj->members[i + 1], (obj->count - i - 1) * sizeof *obj->members);
  obj->count--;
  return v;
}

void
json_object_remove_at (struct json_value *obj, size_t i)
{
  json_free (json_object_take_at (obj, i));
}

struct json_value *
json_take (struct json_value *obj, const char *key)
{
  size_t i;
  if (find_member (obj, key, key ? strlen (key) : 0, &i) == NULL)
    return NULL;
  return json_object_take_at (obj, i);
}

bool
json_remove (struct json_value *obj, const char *key)
{
  size_t i;
  if (find_member (obj, key, key ? strlen (key) : 0, &i) == NULL)
    return false;
  json_object_remove_at (obj, i);
  return true;
}

void
json_object_rename_at (struct json_value *obj, size_t i, const char *key)
{
  size_t len = strlen (key);
  if (!json_is (obj, JSON_OBJECT) || i >= obj->count)
    abort ();
  key_release (obj, obj->members[i].key);
  obj->members[i].key = key_copy (obj, key, len);
  obj->members[i].key_len = len;
  keys_plain_update (obj, i);
}

void
json_object_move_members (struct json_value *dst, struct json_value *src)
{
  if (!json_is (dst, JSON_OBJECT) || !json_is (src, JSON_OBJECT))
    abort ();
  if (src->count > 0 && !(src->flags & JSON_FLAG_KEYS_PLAIN))
    dst->flags &= ~JSON_FLAG_KEYS_PLAIN;
  for (size_t i = 0; i < src->count; i++)
    {
      struct json_member *m = &src->members[i];
      children_grow (dst);
      /* a key stays where it is allocated only if dst frees it the same way
       * and keeps the same arena alive */
      if (dst->arena == src->arena)
        dst->members[dst->count].key = m->key;
      else
        {
          dst->members[dst->count].key = key_copy (dst, m->key, m->key_len);
          key_release (src, m->key);
        }
      dst->members[dst->count].key_len = m->key_len;
      dst->members[dst->count].value = m->value;
      dst->count++;
    }
  src->count = 0;
}

/* ---- arrays ---- */

void
json_array_append (struct json_value *arr, struct json_value *item)
{
  if (arr == NULL || arr->type != JSON_ARRAY)
    abort ();
  children_grow (arr);
  arr->items[arr->count++] = item;
}

void
json_array_remove_at (struct json_value *arr, size_t i)
{
  if (!json_is (arr, JSON_ARRAY) || i >= arr->count)
    return;
  json_free (arr->items[i]);
  memmove (&arr->items[i], &arr->items[i + 1], (arr->count - i - 1) * sizeof *arr->items);
  arr->count--;
}

size_t
json_array_retain (struct json_value *arr, bool (*keep) (struct json_value *item, size_t index, void *data), void *data)
{
  size_t i, out = 0, n;
  if (!json_is (arr, JSON_ARRAY))
    return 0;
  n = arr->count;
  for (i = 0; i < n; i++)
    {
      struct json_value *it = arr->items[i];
      if (keep (it, i, data))
        arr->items[out++] = it;
      else
        json_free (it);
    }
  arr->count = out;
  return n - out;
}

size_t
json_object_retain (struct json_value *obj, bool (*keep) (struct json_member *member, size_t index, void *data),
                    void *data)
{
  size_t i, out = 0, n;
  if (!json_is (obj, JSON_OBJECT))
    return 0;
  n = obj->count;
  for (i = 0; i < n; i++)
    {
      struct json_member m = obj->members[i];
      if (keep (&m, i, data))
        {
          /* keep may change the key it is given: not one JSON_FLAG_KEYS_PLAIN
           * vouched for */
          if (m.key != obj->members[i].key || m.key_len != obj->members[i].key_len)
            obj->flags &= ~JSON_FLAG_KEYS_PLAIN;
          obj->members[out++] = m;
        }
      else
        {
          key_release (obj, m.key);
          json_free (m.value);
        }
    }
  obj->count = out;
  return n - out;
}

bool
json_array_has_string (const struct json_value *arr, const char *s)
{
  size_t len;
  if (!json_is (arr, JSON_ARRAY) || s == NULL)
    return false;
  len = strlen (s);
  for (size_t i = 0; i < arr->count; i++)
    {
      const struct json_value *it = arr->items[i];
      if (json_is (it, JSON_STRING) && it->len == len && memcmp (it->str, s, len) == 0)
        return true;
    }
  return false;
}

/* ---- typed reads ---- */

const char *
json_string (const struct json_value *v)
{
  return json_is (v, JSON_STRING) ? v->str : NULL;
}

bool
json_is_true (const struct json_value *v)
{
  return json_is (v, JSON_TRUE);
}

/* strconv.ParseUint(lexeme, 10, 64) as encoding/json calls it for unsigned
 * fields: decimal digits only (so "-0", "1.0", "1e3", "+1" are syntax
 * errors), overflow is a range error.  Written out rather than strtoull
 * because strtoull accepts a sign and wraps "-1". */
static int
lexeme_to_u64 (const struct json_value *v, uint64_t *out)
{
  uint64_t n = 0;
  if (!json_is (v, JSON_NUMBER) || v->len == 0)
    {
      errno = EINVAL;
      return -1;
    }
  for (size_t i = 0; i < v->len; i++)
    if (v->str[i] < '0' || v->str[i] > '9')
      {
        errno = EINVAL;
        return -1;
      }
  for (size_t i = 0; i < v->len; i++)
    {
      unsigned d = (unsigned) (v->str[i] - '0');
      if (n > (UINT64_MAX - d) / 10)
        {
          errno = ERANGE;
          return -1;
        }
      n = n * 10 + d;
    }
  *out = n;
  return 0;
}

int
json_get_u64 (const struct json_value *v, uint64_t *out)
{
  return lexeme_to_u64 (v, out);
}

int
json_get_u32 (const struct json_value *v, uint32_t *out)
{
  uint64_t n;
  if (lexeme_to_u64 (v, &n) < 0)
    return -1;
  if (n > UINT32_MAX)
    {
      errno = ERANGE;
      return -1;
    }
  *out = (uint32_t) n;
  return 0;
}

/* strconv.ParseInt(lexeme, 10, 64): optional '-', then digits; "-0" is 0. */
int
json_get_i64 (const struct json_value *v, int64_t *out)
{
  struct json_value digits;
  uint64_t mag;
  bool negative;

  if (!json_is (v, JSON_NUMBER) || v->len == 0)
    {
      errno = EINVAL;
      return -1;
    }
  negative = v->str[0] == '-';
  digits = *v;
  if (negative)
    {
      digits.str++;
      digits.len--;
    }
  if (lexeme_to_u64 (&digits, &mag) < 0)
    {
      if (errno == ERANGE || digits.len == 0)
        errno = digits.len ? ERANGE : EINVAL;
      return -1;
    }
  if (negative ? mag > (uint64_t) INT64_MAX + 1 : mag > (uint64_t) INT64_MAX)
    {
      errno = ERANGE;
      return -1;
    }
  *out = negative ? (int64_t) (0 - mag) : (int64_t) mag;
  return 0;
}
