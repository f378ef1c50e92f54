// The VM's slow paths: metamethods, mixed comparisons, concatenation,
// conversions and varargs (see vm.hpp for the 'in_vm' protocol).
#include <clocale>
#include <cstring>

#include "call.hpp"
#include "debug.hpp"
#include "error.hpp"
#include "func.hpp"
#include "gc.hpp"
#include "numconv.hpp"
#include "string.hpp"
#include "table.hpp"
#include "tm.hpp"
#include "vm.hpp"

namespace rua {

bool vm_lt_num(const Value* l, const Value* r);
bool vm_le_num(const Value* l, const Value* r);

namespace {

constexpr int kMaxTagLoop = 2000;  // limit for __index/__newindex chains

// Calls metamethod f(p1, p2[, p3]). With in_vm, pushes its frame and returns
// true; otherwise calls it and stores the result (if nres == 1) at 'res'.
bool call_tm(State* L, const Value* f, const Value* p1, const Value* p2, const Value* p3, StkId res, int nres,
             bool in_vm) {
  ptrdiff_t result = res ? save_stack(L, res) : 0;
  StkId func = L->top;
  func[0] = *f;  // (assumes kExtraStack)
  func[1] = *p1;
  func[2] = *p2;
  L->top = func + 3;
  if (p3) *L->top++ = *p3;
  if (in_vm) {
    push_frame(L, func, nres, cist::kFinishOp);
    return true;
  }
  call_value_noyield(L, func, nres);
  if (nres > 0) {
    res = restore_stack(L, result);
    *res = *--L->top;
  }
  return false;
}

// Metamethod for a binary event from either operand; null if neither has it.
const Value* bin_tm(State* L, const Value* p1, const Value* p2, TM event) {
  const Value* tm = get_tm_by_obj(L, p1, event);
  if (tm->is_nil()) tm = get_tm_by_obj(L, p2, event);
  return tm->is_nil() ? nullptr : tm;
}

bool to_string_inplace(State* L, StkId o) {
  if (o->is_string()) return true;
  if (o->is_number()) {
    number_to_string_value(L, o);
    return true;
  }
  return false;
}

bool is_empty_short(const Value* o) { return o->is_short_string() && o->as_string()->len == 0; }

}  // namespace

// ===================================================================
// Table access
// ===================================================================

bool finish_get(State* L, const Value* t, const Value* key, StkId val, bool in_vm) {
  for (int loop = 0; loop < kMaxTagLoop; loop++) {
    const Value* tm;
    if (!t->is_table()) {
      tm = get_tm_by_obj(L, t, TM::Index);
      if (tm->is_nil()) type_error(L, t, "index");
    } else {
      const Value* res = table_get(t->as_table(), *key);
      if (!res->is_nil()) {
        *val = *res;
        return false;
      }
      tm = fast_tm(G(L), t->as_table()->metatable, TM::Index);
      if (tm == nullptr) {
        val->set_nil();
        return false;
      }
    }
    if (tm->is_function()) return call_tm(L, tm, t, key, nullptr, val, 1, in_vm);
    t = tm;  // else try tm[key]
  }
  run_error(L, "'__index' chain too long; possible loop");
}

bool finish_set(State* L, const Value* t, const Value* key, const Value* val, bool in_vm) {
  for (int loop = 0; loop < kMaxTagLoop; loop++) {
    const Value* tm;
    if (t->is_table()) {
      Table* h = t->as_table();
      Value* slot = table_slot(h, *key);
      if (slot && !slot->is_nil()) {
        *slot = *val;
        gc_barrier_back(L, h, *val);
        return false;
      }
      tm = fast_tm(G(L), h->metatable, TM::NewIndex);
      if (tm == nullptr) {
        L->top->set_table(h);  // anchor the table (it may be reachable only from a weak metatable)
        L->top++;
        table_finish_set(L, h, *key, slot, *val);
        L->top--;
        invalidate_tm_cache(h);
        gc_barrier_back(L, h, *val);
        return false;
      }
    } else {
      tm = get_tm_by_obj(L, t, TM::NewIndex);
      if (tm->is_nil()) type_error(L, t, "index");
    }
    if (tm->is_function()) return call_tm(L, tm, t, key, val, nullptr, 0, in_vm);
    t = tm;
  }
  run_error(L, "'__newindex' chain too long; possible loop");
}

// ===================================================================
// Arithmetic and comparison metamethods
// ===================================================================

bool try_bin_tm(State* L, const Value* p1, const Value* p2, StkId res, TM event, bool in_vm) {
  const Value* tm = bin_tm(L, p1, p2, event);
  if (tm == nullptr) {
    switch (event) {
      case TM::BAnd: case TM::BOr: case TM::BXor: case TM::Shl: case TM::Shr: case TM::BNot:
        if (p1->is_number() && p2->is_number()) to_int_error(L, p1, p2);
        op_int_error(L, p1, p2, "perform bitwise operation on");
      default:
        op_int_error(L, p1, p2, "perform arithmetic on");
    }
  }
  return call_tm(L, tm, p1, p2, nullptr, res, 1, in_vm);
}

bool order_tm(State* L, const Value* p1, const Value* p2, TM event, int* res, bool in_vm) {
  const Value* tm = bin_tm(L, p1, p2, event);
  if (tm == nullptr) order_error(L, p1, p2);
  if (call_tm(L, tm, p1, p2, nullptr, L->top, 1, in_vm)) return true;
  *res = !L->top->is_falsy();
  return false;
}

int string_compare(const String* a, const String* b) {
  const char* s1 = a->data();
  size_t rl1 = a->len;
  const char* s2 = b->data();
  size_t rl2 = b->len;
  for (;;) {  // for each segment separated by '\0'
    int temp = std::strcoll(s1, s2);
    if (temp != 0) return temp;
    size_t zl1 = std::strlen(s1);
    size_t zl2 = std::strlen(s2);
    if (zl2 == rl2) return zl1 == rl1 ? 0 : 1;
    if (zl1 == rl1) return -1;
    zl1++;
    zl2++;
    s1 += zl1;
    rl1 -= zl1;
    s2 += zl2;
    rl2 -= zl2;
  }
}

bool less_than(State* L, const Value* l, const Value* r, int* res, bool in_vm) {
  if (l->is_number() && r->is_number()) {
    *res = vm_lt_num(l, r);
    return false;
  }
  if (l->is_string() && r->is_string()) {
    *res = string_compare(l->as_string(), r->as_string()) < 0;
    return false;
  }
  return order_tm(L, l, r, TM::Lt, res, in_vm);
}

bool less_equal(State* L, const Value* l, const Value* r, int* res, bool in_vm) {
  if (l->is_number() && r->is_number()) {
    *res = vm_le_num(l, r);
    return false;
  }
  if (l->is_string() && r->is_string()) {
    *res = string_compare(l->as_string(), r->as_string()) <= 0;
    return false;
  }
  return order_tm(L, l, r, TM::Le, res, in_vm);
}

bool equal_obj(State* L, const Value* a, const Value* b, int* res, bool in_vm) {
  if (a->tt != b->tt || !(a->is_table() || a->is_userdata())) {
    *res = raw_equal(*a, *b);
    return false;
  }
  if (a->u.gc == b->u.gc) {
    *res = 1;
    return false;
  }
  const Value* tm;
  if (a->is_table()) {
    tm = fast_tm(G(L), a->as_table()->metatable, TM::Eq);
    if (tm == nullptr) tm = fast_tm(G(L), b->as_table()->metatable, TM::Eq);
  } else {
    tm = fast_tm(G(L), a->as_userdata()->metatable, TM::Eq);
    if (tm == nullptr) tm = fast_tm(G(L), b->as_userdata()->metatable, TM::Eq);
  }
  if (tm == nullptr) {
    *res = 0;
    return false;
  }
  if (call_tm(L, tm, a, b, nullptr, L->top, 1, in_vm)) return true;
  *res = !L->top->is_falsy();
  return false;
}

// ===================================================================
// Concatenation and length
// ===================================================================

bool concat(State* L, int total, bool in_vm) {
  if (total == 1) return false;
  do {
    StkId top = L->top;
    int n = 2;
    if (!(top[-2].is_string() || top[-2].is_number()) || !to_string_inplace(L, top - 1)) {
      const Value* tm = bin_tm(L, top - 2, top - 1, TM::Concat);
      if (tm == nullptr) concat_error(L, top - 2, top - 1);
      if (call_tm(L, tm, top - 2, top - 1, nullptr, top - 2, 1, in_vm)) return true;
    } else if (is_empty_short(top - 1)) {
      to_string_inplace(L, top - 2);
    } else if (is_empty_short(top - 2)) {
      top[-2] = top[-1];
    } else {
      size_t tl = top[-1].as_string()->len;
      for (n = 1; n < total && to_string_inplace(L, top - n - 1); n++) {
        size_t l = top[-n - 1].as_string()->len;
        if (l >= SIZE_MAX / 2 - sizeof(String) - tl) {
          L->top = top - total;
          run_error(L, "string length overflow");
        }
        tl += l;
      }
      String* ts;
      if (tl <= kMaxShortLen) {
        char buff[kMaxShortLen];
        size_t off = 0;
        for (int j = n; j > 0; j--) {
          String* s = top[-j].as_string();
          std::memcpy(buff + off, s->data(), s->len);
          off += s->len;
        }
        ts = string_new(L, buff, tl);
      } else {
        ts = string_new_long_uninit(L, tl);
        size_t off = 0;
        for (int j = n; j > 0; j--) {
          String* s = top[-j].as_string();
          std::memcpy(ts->data() + off, s->data(), s->len);
          off += s->len;
        }
      }
      top[-n].set_string(ts);
    }
    total -= n - 1;
    L->top -= n - 1;
  } while (total > 1);
  return false;
}

bool obj_len(State* L, StkId ra, const Value* rb, bool in_vm) {
  const Value* tm;
  if (rb->is_table()) {
    Table* h = rb->as_table();
    tm = fast_tm(G(L), h->metatable, TM::Len);
    if (tm == nullptr) {
      ra->set_int(lua_Integer(table_length(h, G(L)->seed)));
      return false;
    }
  } else if (rb->is_string()) {
    ra->set_int(lua_Integer(rb->as_string()->len));
    return false;
  } else {
    tm = get_tm_by_obj(L, rb, TM::Len);
    if (tm->is_nil()) type_error(L, rb, "get length of");
  }
  return call_tm(L, tm, rb, rb, nullptr, ra, 1, in_vm);
}

// ===================================================================
// Finishing an instruction interrupted by a metamethod frame
// ===================================================================

bool finish_op(State* L) {
  CallInfo* ci = L->ci;
  StkId base = ci->func + 1;
  Instruction inst = ci->u.l.savedpc[-1];
  switch (get_op(inst)) {
    case OpCode::MMBin: case OpCode::MMBinI: case OpCode::MMBinK:
      base[arg_a(ci->u.l.savedpc[-2])] = *--L->top;
      break;
    case OpCode::Unm: case OpCode::BNot: case OpCode::Len: case OpCode::GetTabUp: case OpCode::GetTable:
    case OpCode::GetI: case OpCode::GetField: case OpCode::Self:
      base[arg_a(inst)] = *--L->top;
      break;
    case OpCode::Lt: case OpCode::Le: case OpCode::LtI: case OpCode::LeI: case OpCode::GtI: case OpCode::GeI:
    case OpCode::Eq: {
      int res = !L->top[-1].is_falsy();
      L->top--;
      if (res != arg_k(inst)) ci->u.l.savedpc++;  // condition failed: skip the jump
      break;
    }
    case OpCode::Concat: {
      StkId top = L->top - 1;  // top when the metamethod was called
      int a = arg_a(inst);
      int total = int(top - 1 - (base + a));
      top[-2] = top[0];  // the metamethod's result replaces the pair
      L->top = top - 1;
      if (concat(L, total, true)) return true;
      break;
    }
    case OpCode::Close:
      ci->u.l.savedpc--;  // redo: close the other variables
      break;
    case OpCode::Return: {
      StkId ra = base + arg_a(inst);
      L->top = ra + ci->u2.nres;
      ci->u.l.savedpc--;  // redo: close the other variables and return
      break;
    }
    default:  // SETTABUP, SETTABLE, SETI, SETFIELD: nothing to finish
      break;
  }
  return false;
}

// ===================================================================
// Conversions
// ===================================================================

bool string_to_number_value(const Value* v, Value* out) {
  String* s = v->as_string();
  int64_t i;
  double d;
  switch (str_to_number(std::string_view(s->data(), s->len), i, d)) {
    case NumKind::Int: out->set_int(i); return true;
    case NumKind::Float: out->set_float(d); return true;
    default: return false;
  }
}

bool to_number(const Value* v, lua_Number* n) {
  if (to_number_ns(*v, n)) return true;
  Value tmp;
  if (v->is_string() && string_to_number_value(v, &tmp)) {
    *n = tmp.as_number();
    return true;
  }
  return false;
}

bool to_integer(const Value* v, lua_Integer* i, F2I mode) {
  Value tmp;
  if (v->is_string() && string_to_number_value(v, &tmp)) v = &tmp;
  return to_integer_ns(*v, i, mode);
}

size_t number_to_cstr(const Value* v, char* buf) {
  if (v->is_int()) return number_to_string(int64_t(v->as_int()), buf);
  return number_to_string(double(v->as_float()), buf);
}

void number_to_string_value(State* L, Value* v) {
  char buf[64];
  size_t len = number_to_cstr(v, buf);
  v->set_string(string_new(L, buf, len));
}

void error_divide_by_zero(State* L) { run_error(L, "attempt to divide by zero"); }
void error_modulo_by_zero(State* L) { run_error(L, "attempt to perform 'n%%0'"); }

bool raw_arith(State* L, int op, const Value* p1, const Value* p2, Value* res) {
  TM event = TM(int(TM::Add) + op);
  switch (event) {
    case TM::BAnd: case TM::BOr: case TM::BXor: case TM::Shl: case TM::Shr: case TM::BNot: {
      lua_Integer i1, i2;
      if (!to_integer_ns(*p1, &i1) || !to_integer_ns(*p2, &i2)) return false;
      lua_Integer r;
      switch (event) {
        case TM::BAnd: r = lua_Integer(lua_Unsigned(i1) & lua_Unsigned(i2)); break;
        case TM::BOr: r = lua_Integer(lua_Unsigned(i1) | lua_Unsigned(i2)); break;
        case TM::BXor: r = lua_Integer(lua_Unsigned(i1) ^ lua_Unsigned(i2)); break;
        case TM::Shl: r = shift_left(i1, i2); break;
        case TM::Shr: r = shift_right(i1, i2); break;
        default: r = lua_Integer(~lua_Unsigned(i1)); break;
      }
      res->set_int(r);
      return true;
    }
    case TM::Div: case TM::Pow: {
      lua_Number n1, n2;
      if (!to_number_ns(*p1, &n1) || !to_number_ns(*p2, &n2)) return false;
      res->set_float(event == TM::Div ? n1 / n2 : float_pow(n1, n2));
      return true;
    }
    default: {
      if (p1->is_int() && p2->is_int()) {
        lua_Integer a = p1->as_int(), b = p2->as_int(), r;
        switch (event) {
          case TM::Add: r = int_add(a, b); break;
          case TM::Sub: r = int_sub(a, b); break;
          case TM::Mul: r = int_mul(a, b); break;
          case TM::Mod: r = int_imod(L, a, b); break;
          case TM::IDiv: r = int_idiv(L, a, b); break;
          default: r = int_neg(a); break;  // Unm
        }
        res->set_int(r);
        return true;
      }
      lua_Number n1, n2;
      if (!to_number_ns(*p1, &n1) || !to_number_ns(*p2, &n2)) return false;
      lua_Number r;
      switch (event) {
        case TM::Add: r = n1 + n2; break;
        case TM::Sub: r = n1 - n2; break;
        case TM::Mul: r = n1 * n2; break;
        case TM::Mod: r = float_mod(n1, n2); break;
        case TM::IDiv: r = float_floor_div(n1, n2); break;
        default: r = -n1; break;
      }
      res->set_float(r);
      return true;
    }
  }
}

void arith(State* L, int op, const Value* p1, const Value* p2, StkId res) {
  Value r;
  if (raw_arith(L, op, p1, p2, &r)) {
    *res = r;
    return;
  }
  try_bin_tm(L, p1, p2, res, TM(int(TM::Add) + op), false);
}

// ===================================================================
// Numeric for and varargs
// ===================================================================

namespace {
// Converts the limit to an integer; true if the loop must not run.
bool for_limit(State* L, lua_Integer init, const Value* lim, lua_Integer* p, lua_Integer step) {
  if (!to_integer(lim, p, step < 0 ? F2I::Ceil : F2I::Floor)) {
    lua_Number flim;
    if (!to_number(lim, &flim)) for_error(L, lim, "limit");
    if (0 < flim) {  // too large
      if (step < 0) return true;
      *p = kMaxInteger;
    } else {  // less than min integer
      if (step > 0) return true;
      *p = kMinInteger;
    }
  }
  return step > 0 ? init > *p : init < *p;
}
}  // namespace

bool for_prep(State* L, StkId ra) {
  Value* pinit = ra;
  Value* plimit = ra + 1;
  Value* pstep = ra + 2;
  if (pinit->is_int() && pstep->is_int()) {
    lua_Integer init = pinit->as_int();
    lua_Integer step = pstep->as_int();
    lua_Integer limit;
    if (step == 0) run_error(L, "'for' step is zero");
    if (for_limit(L, init, plimit, &limit, step)) return true;
    lua_Unsigned count;
    if (step > 0) {
      count = lua_Unsigned(limit) - lua_Unsigned(init);
      if (step != 1) count /= lua_Unsigned(step);
    } else {
      count = lua_Unsigned(init) - lua_Unsigned(limit);
      count /= lua_Unsigned(-(step + 1)) + 1u;
    }
    ra[0].set_int(lua_Integer(count));
    ra[1].set_int(step);
    ra[2].set_int(init);
    return false;
  }
  lua_Number init, limit, step;
  if (!to_number(plimit, &limit)) for_error(L, plimit, "limit");
  if (!to_number(pstep, &step)) for_error(L, pstep, "step");
  if (!to_number(pinit, &init)) for_error(L, pinit, "initial value");
  if (step == 0) run_error(L, "'for' step is zero");
  if (0 < step ? limit < init : init < limit) return true;
  ra[0].set_float(limit);
  ra[1].set_float(step);
  ra[2].set_float(init);
  return false;
}

void adjust_varargs(State* L, CallInfo* ci, const Proto* p) {
  int totalargs = int(L->top - ci->func) - 1;
  int nfixparams = p->numparams;
  int nextra = totalargs - nfixparams;
  if (p->flag & 2 /* kProtoVarargTable */) {
    // Build the table {extra..., n = nextra} in the vararg parameter's register.
    Table* t = table_new(L);
    L->top->set_table(t);
    L->top++;
    table_resize(L, t, unsigned(nextra), 1);
    Value nv = Value::integer(nextra);
    table_set_str(L, t, string_new(L, "n"), nv);
    StkId first = ci->func + nfixparams + 1;
    for (int j = 0; j < nextra; j++) table_set_int(L, t, j + 1, first[j]);
    ci->func[nfixparams + 1] = L->top[-1];
    gc_check(L);
  } else {
    // Hidden arguments: copy the function and the fixed parameters above the extra arguments.
    ci->u.l.nextraargs = nextra;
    check_stack(L, p->maxstacksize + 1);
    *L->top++ = *ci->func;
    for (int j = 1; j <= nfixparams; j++) {
      *L->top++ = ci->func[j];
      ci->func[j].set_nil();
    }
    ci->func += totalargs + 1;
    ci->top += totalargs + 1;
    ci->func[nfixparams + 1].set_nil();  // the (absent) vararg parameter
  }
}

namespace {
int vararg_count(State* L, CallInfo* ci, Table* h) {
  if (h == nullptr) return ci->u.l.nextraargs;
  const Value* n = table_get_short_str(h, string_new(L, "n"));
  if (!n->is_int() || lua_Unsigned(n->as_int()) > unsigned(INT32_MAX / 2))
    run_error(L, "vararg table has no proper 'n'");
  return int(n->as_int());
}
}  // namespace

void get_varargs(State* L, CallInfo* ci, StkId where, int wanted, int vatab) {
  Table* h = vatab < 0 ? nullptr : ci->func[vatab + 1].as_table();
  int nargs = vararg_count(L, ci, h);
  int touse;
  if (wanted < 0) {
    touse = wanted = nargs;
    if (L->stack_last - L->top <= nargs) {
      ptrdiff_t w = save_stack(L, where);
      grow_stack(L, nargs, true);
      where = restore_stack(L, w);
      ci = L->ci;
      h = vatab < 0 ? nullptr : ci->func[vatab + 1].as_table();
    }
    L->top = where + nargs;
  } else {
    touse = nargs > wanted ? wanted : nargs;
  }
  int j = 0;
  if (h == nullptr) {
    for (; j < touse; j++) where[j] = ci->func[j - nargs];
  } else {
    for (; j < touse; j++) {
      const Value* v = table_get_int(h, j + 1);
      if (v->is_nil()) where[j].set_nil();
      else where[j] = *v;
    }
  }
  for (; j < wanted; j++) where[j].set_nil();
}

void get_vararg(CallInfo* ci, StkId ra, const Value* rc) {
  int nextra = ci->u.l.nextraargs;
  lua_Integer n;
  if (to_integer_ns(*rc, &n)) {
    if (lua_Unsigned(n) - 1u < unsigned(nextra)) {
      *ra = ci->func[-nextra + int(n) - 1];
      return;
    }
  } else if (rc->is_string()) {
    String* s = rc->as_string();
    if (s->len == 1 && s->data()[0] == 'n') {
      ra->set_int(nextra);
      return;
    }
  }
  ra->set_nil();
}

}  // namespace rua
