// The table library (manual §6.6).
//
// Every element access goes through get_i/set_i and every length through
// len_of, so the functions work on any value whose metatable gives it
// __index/__newindex/__len, as PUC 5.5's do; only 'pack' and 'create' build
// fresh tables. 'sort' is PUC's quicksort (Sedgewick's variant with the
// median of three and a randomised pivot after a badly unbalanced split):
// its order of comparisons and swaps decides what an inconsistent
// comparator does, and it must end in "invalid order function for
// sorting" rather than run off the array.
#include <climits>
#include <ctime>

#include "lualib.hpp"

namespace rua {

namespace {

// What an argument must support to stand in for a table.
constexpr int kTabRead = 1;
constexpr int kTabWrite = 2;
constexpr int kTabLen = 4;

// Is metatable field 'key' present? The metatable is at -n before the push.
bool has_meta_field(State* L, const char* key, int n) {
  push_string(L, key);
  return raw_get(L, -n) != Type::Nil;
}

// Accepts a table, or a value whose metatable has the metamethods 'what'
// needs (a string has a length without __len).
void check_table_like(State* L, int arg, int what) {
  Type tp = type(L, arg);
  if (tp == Type::Table) return;
  int n = 1;  // values to pop: the metatable and the fields looked at
  if (get_metatable(L, arg) && (!(what & kTabRead) || has_meta_field(L, "__index", ++n)) &&
      (!(what & kTabWrite) || has_meta_field(L, "__newindex", ++n)) &&
      (!(what & kTabLen) || tp == Type::String || has_meta_field(L, "__len", ++n))) {
    pop(L, n);
    return;
  }
  check_type(L, arg, Type::Table);  // raises the standard message
}

lua_Integer checked_length(State* L, int arg, int what) {
  check_table_like(L, arg, what | kTabLen);
  return len_of(L, arg);
}

int t_create(State* L) {
  auto nseq = lua_Unsigned(check_integer(L, 1));
  auto nrec = lua_Unsigned(opt_integer(L, 2, 0));
  arg_check(L, nseq <= lua_Unsigned(INT_MAX), 1, "out of range");
  arg_check(L, nrec <= lua_Unsigned(INT_MAX), 2, "out of range");
  create_table(L, int(nseq), int(nrec));
  return 1;
}

int t_insert(State* L) {
  lua_Integer e = checked_length(L, 1, kTabRead | kTabWrite);
  e = lua_Integer(lua_Unsigned(e) + 1);  // first empty slot (wraps like PUC's luaL_intop)
  lua_Integer pos;
  switch (get_top(L)) {
    case 2: pos = e; break;
    case 3: {
      pos = check_integer(L, 2);
      // pos must be in [1, e]
      arg_check(L, lua_Unsigned(pos) - 1u < lua_Unsigned(e), 2, "position out of bounds");
      for (lua_Integer i = e; i > pos; i--) {  // shift up
        get_i(L, 1, i - 1);
        set_i(L, 1, i);
      }
      break;
    }
    default: errorf(L, "wrong number of arguments to 'insert'");
  }
  set_i(L, 1, pos);
  return 0;
}

int t_remove(State* L) {
  lua_Integer size = checked_length(L, 1, kTabRead | kTabWrite);
  lua_Integer pos = opt_integer(L, 2, size);
  if (pos != size)  // a given position must be in [1, size + 1]
    arg_check(L, lua_Unsigned(pos) - 1u <= lua_Unsigned(size), 2, "position out of bounds");
  get_i(L, 1, pos);
  for (; pos < size; pos++) {
    get_i(L, 1, pos + 1);
    set_i(L, 1, pos);
  }
  push_nil(L);
  set_i(L, 1, pos);
  return 1;
}

// Copies a1[f..e] to a2[t..]. Ascending order when it cannot overwrite
// elements still to be read (better for rehashing), descending otherwise.
int t_move(State* L) {
  lua_Integer f = check_integer(L, 2);
  lua_Integer e = check_integer(L, 3);
  lua_Integer t = check_integer(L, 4);
  int tt = is_none_or_nil(L, 5) ? 1 : 5;
  check_table_like(L, 1, kTabRead);
  check_table_like(L, tt, kTabWrite);
  if (e >= f) {
    arg_check(L, f > 0 || e < kMaxInteger + f, 3, "too many elements to move");
    lua_Integer n = e - f + 1;
    arg_check(L, t <= kMaxInteger - n + 1, 4, "destination wrap around");
    if (t > e || t <= f || (tt != 1 && !compare(L, 1, tt, kOpEq))) {
      for (lua_Integer i = 0; i < n; i++) {
        get_i(L, 1, f + i);
        set_i(L, tt, t + i);
      }
    } else {
      for (lua_Integer i = n - 1; i >= 0; i--) {
        get_i(L, 1, f + i);
        set_i(L, tt, t + i);
      }
    }
  }
  push_value(L, tt);
  return 1;
}

void add_field(State* L, Buffer& b, lua_Integer i) {
  get_i(L, 1, i);
  if (!is_string(L, -1)) [[unlikely]]
    errorf(L, "invalid value (%s) at index %I in table for 'concat'", type_name_of(L, type(L, -1)), i);
  b.add_value();
}

int t_concat(State* L) {
  lua_Integer last = checked_length(L, 1, kTabRead);
  size_t lsep;
  const char* sep = opt_lstring(L, 2, "", &lsep);
  lua_Integer i = opt_integer(L, 3, 1);
  last = opt_integer(L, 4, last);
  Buffer b(L);
  for (; i < last; i++) {
    add_field(L, b, i);
    b.add(sep, lsep);
  }
  if (i == last) add_field(L, b, i);  // the last one, unless the interval was empty
  b.push_result();
  return 1;
}

int t_pack(State* L) {
  int n = get_top(L);
  create_table(L, n, 1);
  insert(L, 1);
  for (int i = n; i >= 1; i--) set_i(L, 1, i);
  push_integer(L, n);
  set_field(L, 1, "n");
  return 1;
}

int t_unpack(State* L) {
  lua_Integer len = checked_length(L, 1, kTabRead);
  lua_Integer i = opt_integer(L, 2, 1);
  lua_Integer e = is_none_or_nil(L, 3) ? len : check_integer(L, 3);
  if (i > e) return 0;
  lua_Unsigned n = lua_Unsigned(e) - lua_Unsigned(i);  // count minus 1 (cannot overflow)
  if (n >= lua_Unsigned(INT_MAX) || !ensure_stack(L, int(++n))) [[unlikely]]
    errorf(L, "too many results to unpack");
  for (; i < e; i++) get_i(L, 1, i);  // stop before e so that i never overflows
  get_i(L, 1, e);
  return int(n);
}

// ---- sort ----

// Indices are kept below INT_MAX by 'sort', so unsigned arithmetic on them
// cannot wrap.
using Idx = unsigned int;

// Arrays smaller than this always take the middle element as pivot.
constexpr Idx kRandomLimit = 100u;

// A "random" pivot seed, needed only after a badly unbalanced partition;
// it just has to differ between runs.
unsigned int pivot_seed() {
  auto c = static_cast<unsigned int>(std::clock());
  auto t = static_cast<unsigned int>(std::time(nullptr));
  return c ^ (t * 2654435761u);
}

void get_elem(State* L, Idx i) { get_i(L, 1, lua_Integer(i)); }

// a[i] = top value; a[j] = the one below it (both popped).
void set2(State* L, Idx i, Idx j) {
  set_i(L, 1, lua_Integer(i));
  set_i(L, 1, lua_Integer(j));
}

// Is the value at stack index a less than the one at b (negative indices)?
// The comparator (or nil) is argument 2.
bool sort_less(State* L, int a, int b) {
  if (is_nil(L, 2)) return compare(L, a, b, kOpLt);
  return call_predicate(L, 2, a, b);
}

// Partitions a[lo..up] around the pivot P on top of the stack, given
// a[lo] <= P == a[up - 1] <= a[up]. Returns i with
// a[lo .. i-1] <= a[i] == P <= a[i+1 .. up].
Idx partition(State* L, Idx lo, Idx up) {
  Idx i = lo;
  Idx j = up - 1;
  for (;;) {
    // a[lo .. i] <= P <= a[j .. up]
    while (get_elem(L, ++i), sort_less(L, -1, -2)) {
      if (i == up - 1) [[unlikely]]  // a[up - 1] < P == a[up - 1]
        errorf(L, "invalid order function for sorting");
      pop(L, 1);
    }
    while (get_elem(L, --j), sort_less(L, -3, -1)) {
      if (j < i) [[unlikely]]  // a[j] > P although a[lo .. i-1] < P
        errorf(L, "invalid order function for sorting");
      pop(L, 1);
    }
    if (j < i) {  // nothing out of place: put the pivot at i
      pop(L, 1);
      set2(L, up - 1, i);
      return i;
    }
    set2(L, i, j);
  }
}

// A pivot in the middle half of [lo, up], moved around by rnd.
Idx choose_pivot(Idx lo, Idx up, unsigned int rnd) {
  Idx r4 = (up - lo) / 4;
  return (rnd ^ lo ^ up) % (r4 * 2) + (lo + r4);
}

// Sorts a[lo], a[p], a[up] among themselves (p is the pivot candidate).
// Returns false when the interval had at most 3 elements (then it is sorted).
bool sort_three(State* L, Idx lo, Idx p, Idx up) {
  get_elem(L, lo);
  get_elem(L, up);
  if (sort_less(L, -1, -2))
    set2(L, lo, up);  // a[up] < a[lo]
  else
    pop(L, 2);
  if (up - lo == 1) return false;
  get_elem(L, p);
  get_elem(L, lo);
  if (sort_less(L, -2, -1)) {  // a[p] < a[lo]
    set2(L, p, lo);
  } else {
    pop(L, 1);
    get_elem(L, up);
    if (sort_less(L, -1, -2))
      set2(L, p, up);  // a[up] < a[p]
    else
      pop(L, 2);
  }
  return up - lo != 2;
}

void aux_sort(State* L, Idx lo, Idx up, unsigned int rnd) {
  while (lo < up) {  // the loop is the tail call on the larger half
    Idx p = (up - lo < kRandomLimit || rnd == 0) ? (lo + up) / 2 : choose_pivot(lo, up, rnd);
    if (!sort_three(L, lo, p, up)) return;
    get_elem(L, p);  // the pivot
    push_value(L, -1);
    get_elem(L, up - 1);
    set2(L, p, up - 1);  // swap it with a[up - 1]
    p = partition(L, lo, up);
    Idx n;  // size of the smaller half, sorted by recursion
    if (p - lo < up - p) {
      aux_sort(L, lo, p - 1, rnd);
      n = p - lo;
      lo = p + 1;
    } else {
      aux_sort(L, p + 1, up, rnd);
      n = up - p;
      up = p - 1;
    }
    if ((up - lo) / 128 > n) rnd = pivot_seed();  // too unbalanced: randomise
  }
}

int t_sort(State* L) {
  lua_Integer n = checked_length(L, 1, kTabRead | kTabWrite);
  if (n > 1) {
    arg_check(L, n < INT_MAX, 1, "array too big");
    if (!is_none_or_nil(L, 2)) check_type(L, 2, Type::Function);
    set_top(L, 2);
    aux_sort(L, 1, Idx(n), 0);
  }
  return 0;
}

const Reg kTableFuncs[] = {{"concat", t_concat}, {"create", t_create}, {"insert", t_insert},
                           {"pack", t_pack},     {"unpack", t_unpack}, {"remove", t_remove},
                           {"move", t_move},     {"sort", t_sort},     {nullptr, nullptr}};

}  // namespace

int open_table(State* L) {
  new_lib(L, kTableFuncs);
  return 1;
}

}  // namespace rua
