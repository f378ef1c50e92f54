// Loading chunks: source text through the compiler (then turned into GC
// prototypes here), or binary chunks made by string.dump. Also the dumper.
//
// Binary format: PUC Lua 5.5's header (so tools that check it agree), then
// rua's own body: a function is its source, lines, parameters, code,
// constants, upvalues, nested functions and debug information. Integers are
// written as variable-length unsigned numbers; strings are written once and
// later occurrences refer back to them by index. Nothing in the body is
// trusted when loading: every size and index is checked, and a short read is
// the error "truncated chunk".
#include <cstring>
#include <unordered_map>
#include <new>

#include "api.hpp"
#include "call.hpp"
#include "compiler.hpp"
#include "error.hpp"
#include "func.hpp"
#include "func_proto.hpp"
#include "gc.hpp"
#include "string.hpp"
#include "table.hpp"

namespace rua {

namespace {

constexpr char kSignature[] = "\x1bLua";
constexpr uint8_t kVersion = 0x55;
constexpr uint8_t kFormat = 0;
constexpr char kLuacData[] = "\x19\x93\r\n\x1a\n";
constexpr int kLuacInt = -0x5678;
constexpr Instruction kLuacInst = 0x12345678;
constexpr double kLuacNum = -370.5;

// ---- materializing compiler output ----

struct Materializer {
  State* L;

  // Equal long strings of one chunk are one object, as PUC's scanner makes
  // them (short strings are interned anyway). The collector is stopped
  // while materializing, so the raw pointers stay valid.
  std::unordered_map<std::string, String*> long_strings;

  String* str(const std::string& s) {
    if (s.size() <= kMaxShortLen) return string_new(L, s.data(), s.size());
    auto [it, fresh] = long_strings.try_emplace(s, nullptr);
    if (fresh) it->second = string_new(L, s.data(), s.size());
    return it->second;
  }

  Proto* build(const FuncProto& fp, String* parent_source, const std::string* parent_src_text) {
    Proto* f = proto_new(L);
    // Anchor while building: keep it on the stack.
    L->top->set_gc(f, kTagProto);
    L->top++;
    f->numparams = fp.numparams;
    f->flag = fp.flag;
    f->maxstacksize = fp.maxstacksize;
    f->linedefined = fp.linedefined;
    f->lastlinedefined = fp.lastlinedefined;
    // Nested prototypes of a compiled chunk carry no source of their own.
    f->source = (parent_src_text && (fp.source.empty() || *parent_src_text == fp.source)) ? parent_source
                                                                                          : str(fp.source);
    f->code = mem_new_array<Instruction>(L, fp.code.size());
    f->sizecode = int(fp.code.size());
    std::memcpy(f->code, fp.code.data(), fp.code.size() * sizeof(Instruction));
    f->lineinfo = mem_new_array<int>(L, fp.code.size());
    for (size_t i = 0; i < fp.code.size(); i++) f->lineinfo[i] = i < fp.lineinfo.size() ? fp.lineinfo[i] : 0;
    f->k = mem_new_array<Value>(L, fp.k.size());
    for (size_t i = 0; i < fp.k.size(); i++) f->k[i].set_nil();
    f->sizek = int(fp.k.size());
    for (size_t i = 0; i < fp.k.size(); i++) {
      const Constant& c = fp.k[i];
      switch (c.kind) {
        case Constant::Kind::Nil: f->k[i].set_nil(); break;
        case Constant::Kind::False: f->k[i].set_bool(false); break;
        case Constant::Kind::True: f->k[i].set_bool(true); break;
        case Constant::Kind::Int: f->k[i].set_int(c.i); break;
        case Constant::Kind::Float: f->k[i].set_float(c.n); break;
        case Constant::Kind::String: f->k[i].set_string(str(c.s)); break;
      }
    }
    f->upvalues = mem_new_array<UpvalInfo>(L, fp.upvalues.size());
    for (size_t i = 0; i < fp.upvalues.size(); i++) f->upvalues[i] = UpvalInfo{nullptr, 0, 0, 0};
    f->sizeupvalues = int(fp.upvalues.size());
    for (size_t i = 0; i < fp.upvalues.size(); i++) {
      const UpvalDesc& u = fp.upvalues[i];
      f->upvalues[i] = UpvalInfo{str(u.name), uint8_t(u.instack), u.idx, uint8_t(u.kind)};
    }
    f->locvars = mem_new_array<LocVarInfo>(L, fp.locvars.size());
    for (size_t i = 0; i < fp.locvars.size(); i++) f->locvars[i] = LocVarInfo{nullptr, 0, 0};
    f->sizelocvars = int(fp.locvars.size());
    for (size_t i = 0; i < fp.locvars.size(); i++) {
      const LocVar& lv = fp.locvars[i];
      f->locvars[i] = LocVarInfo{str(lv.name), lv.startpc, lv.endpc};
    }
    f->p = mem_new_array<Proto*>(L, fp.p.size());
    for (size_t i = 0; i < fp.p.size(); i++) f->p[i] = nullptr;
    f->sizep = int(fp.p.size());
    for (size_t i = 0; i < fp.p.size(); i++) f->p[i] = build(*fp.p[i], f->source, &fp.source);
    L->top--;
    return f;
  }
};

// A Lua closure for a main function: upvalues fresh; the first one (_ENV) is the globals table.
void push_main_closure(State* L, Proto* p) {
  LuaClosure* cl = lua_closure_new(L, p->sizeupvalues);
  cl->p = p;
  L->top->set_lua_closure(cl);
  L->top++;
  closure_init_upvals(L, cl);
  if (cl->nupvalues >= 1) {
    const Value* gt = table_get_int(G(L)->registry.as_table(), kRidxGlobals);
    *cl->upvals[0]->v = *gt;
    gc_barrier(L, cl->upvals[0], *gt);
  }
}

// ---- dumping ----

class Dumper {
 public:
  Dumper(State* L, bool strip) : L_(L), strip_(strip) {}
  std::string out;

  void header() {
    out.append(kSignature, 4);
    byte(kVersion);
    byte(kFormat);
    out.append(kLuacData, 6);
    byte(sizeof(int));
    raw(kLuacInt);
    byte(sizeof(Instruction));
    raw(kLuacInst);
    byte(sizeof(lua_Integer));
    raw(lua_Integer(kLuacInt));
    byte(sizeof(lua_Number));
    raw(lua_Number(kLuacNum));
  }

  void function(const Proto* f, const String* psource) {
    if (strip_ || f->source == psource) string(nullptr);
    else string(f->source);
    varint(size_t(f->linedefined));
    varint(size_t(f->lastlinedefined));
    byte(f->numparams);
    byte(f->flag);
    byte(f->maxstacksize);
    varint(size_t(f->sizecode));
    out.append(reinterpret_cast<const char*>(f->code), size_t(f->sizecode) * sizeof(Instruction));
    constants(f);
    upvalues(f);
    varint(size_t(f->sizep));
    for (int i = 0; i < f->sizep; i++) function(f->p[i], f->source);
    debug(f);
  }

 private:
  void byte(uint8_t b) { out.push_back(char(b)); }
  template <typename T>
  void raw(T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void varint(size_t x) {
    do {
      uint8_t b = x & 0x7f;
      x >>= 7;
      if (x) b |= 0x80;
      byte(b);
    } while (x);
  }
  void string(const String* s) {
    if (s == nullptr) {
      varint(0);
      return;
    }
    for (size_t i = 0; i < saved_.size(); i++) {
      if (saved_[i] == s || (!s->is_short && string_equal(saved_[i], s))) {
        varint(1);
        varint(i);
        return;
      }
    }
    varint(s->len + 2);
    out.append(s->data(), s->len);
    saved_.push_back(s);
  }
  void constants(const Proto* f) {
    varint(size_t(f->sizek));
    for (int i = 0; i < f->sizek; i++) {
      const Value& v = f->k[i];
      byte(v.tt);
      switch (v.tt) {
        case kTagInt: raw(v.as_int()); break;
        case kTagFloat: raw(v.as_float()); break;
        case kTagShortStr:
        case kTagLongStr: string(v.as_string()); break;
        default: break;
      }
    }
  }
  void upvalues(const Proto* f) {
    varint(size_t(f->sizeupvalues));
    for (int i = 0; i < f->sizeupvalues; i++) {
      byte(f->upvalues[i].instack);
      byte(f->upvalues[i].idx);
      byte(f->upvalues[i].kind);
    }
  }
  void debug(const Proto* f) {
    size_t nlines = (strip_ || f->lineinfo == nullptr) ? 0 : size_t(f->sizecode);
    varint(nlines);
    int prev = f->linedefined;
    for (size_t i = 0; i < nlines; i++) {  // signed deltas, zigzag-encoded
      int64_t d = int64_t(f->lineinfo[i]) - prev;
      varint(size_t((d << 1) ^ (d >> 63)));
      prev = f->lineinfo[i];
    }
    size_t nloc = strip_ ? 0 : size_t(f->sizelocvars);
    varint(nloc);
    for (size_t i = 0; i < nloc; i++) {
      string(f->locvars[i].name);
      varint(size_t(f->locvars[i].startpc));
      varint(size_t(f->locvars[i].endpc));
    }
    size_t nup = strip_ ? 0 : size_t(f->sizeupvalues);
    varint(nup);
    for (size_t i = 0; i < nup; i++) string(f->upvalues[i].name);
  }

  State* L_;
  bool strip_;
  std::vector<const String*> saved_;
};

// ---- undumping ----

class Undumper {
 public:
  Undumper(State* L, std::string_view data, const char* name) : L_(L), data_(data) {
    if (*name == '@' || *name == '=') name_ = name + 1;
    else if (*name == kSignature[0]) name_ = "binary string";
    else name_ = name;
  }

  void header() {
    pos_ = 1;  // the signature's first byte was checked by the caller
    literal(kSignature + 1, 3, "not a binary chunk");
    if (byte() != kVersion) error("version mismatch");
    if (byte() != kFormat) error("format mismatch");
    literal(kLuacData, 6, "corrupted chunk");
    check_num<int>(kLuacInt, "int");
    check_num<Instruction>(kLuacInst, "instruction");
    check_num<lua_Integer>(kLuacInt, "Lua integer");
    check_num<lua_Number>(kLuacNum, "Lua number");
  }

  // Loads a function; the new Proto is left anchored on the stack.
  Proto* function(String* psource) {
    // Bound the recursion: a forged chunk could nest functions without end.
    if (++depth_ > kMaxCCalls) error("too many nested functions");
    check_stack(L_, 2);
    Proto* f = proto_new(L_);
    L_->top->set_gc(f, kTagProto);
    L_->top++;
    f->source = string();
    if (f->source == nullptr) f->source = psource;
    f->linedefined = int(count(kMaxInt));
    f->lastlinedefined = int(count(kMaxInt));
    f->numparams = byte();
    f->flag = byte() & (kProtoVarargHidden | kProtoVarargTable);
    f->maxstacksize = byte();
    size_t ncode = count(kMaxInt / sizeof(Instruction));
    need(ncode * sizeof(Instruction));
    f->code = mem_new_array<Instruction>(L_, ncode);
    f->sizecode = int(ncode);
    if (ncode) std::memcpy(f->code, data_.data() + pos_, ncode * sizeof(Instruction));
    pos_ += ncode * sizeof(Instruction);
    constants(f);
    upvalues(f);
    size_t np = count(kMaxInt);
    f->p = mem_new_array<Proto*>(L_, np);
    for (size_t i = 0; i < np; i++) f->p[i] = nullptr;
    f->sizep = int(np);
    for (size_t i = 0; i < np; i++) {
      f->p[i] = function(f->source);
      L_->top--;
    }
    debug(f);
    depth_--;
    return f;
  }

  uint8_t byte() {
    need(1);
    return uint8_t(data_[pos_++]);
  }
  size_t pos() const { return pos_; }
  [[noreturn]] void error(const char* why) {
    push_fstring(L_, "%s: bad binary format (%s)", name_, why);
    throw_error(L_, kErrSyntax);
  }

 private:
  static constexpr size_t kMaxInt = 0x7fffffff;

  void need(size_t n) {
    if (data_.size() - pos_ < n) error("truncated chunk");
  }
  void literal(const char* s, size_t n, const char* msg) {
    need(n);
    if (std::memcmp(data_.data() + pos_, s, n) != 0) error(msg);
    pos_ += n;
  }
  template <typename T>
  T raw() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  template <typename T>
  void check_num(T expected, const char* tname) {
    if (byte() != sizeof(T)) error(push_fstring(L_, "%s size mismatch", tname));
    if (raw<T>() != expected) error(push_fstring(L_, "%s format mismatch", tname));
  }
  size_t varint() {
    size_t x = 0;
    int shift = 0;
    for (;;) {
      uint8_t b = byte();
      if (shift >= 63 && (b & 0x7e)) error("integer overflow");
      x |= size_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return x;
      shift += 7;
    }
  }
  size_t count(size_t limit) {
    size_t n = varint();
    if (n > limit) error("integer overflow");
    return n;
  }
  String* string() {
    size_t size = varint();
    if (size == 0) return nullptr;
    if (size == 1) {
      size_t idx = varint();
      if (idx >= saved_.size()) error("invalid string index");
      return saved_[idx];
    }
    size -= 2;
    need(size);
    String* s = string_new(L_, data_.data() + pos_, size);
    pos_ += size;
    // Anchor every saved string in a table on the stack below the protos.
    anchor(s);
    saved_.push_back(s);
    return s;
  }
  void anchor(String* s) {
    if (anchor_ == nullptr) {
      // The anchor table sits below the first proto (the caller reserved its slot).
      anchor_ = table_new(L_);
      restore_stack(L_, anchor_slot_)->set_table(anchor_);  // (the stack may have moved)
    }
    table_set_int(L_, anchor_, lua_Integer(saved_.size()) + 1, make_value(s));
  }
  void constants(Proto* f) {
    size_t n = count(kMaxInt);
    f->k = mem_new_array<Value>(L_, n);
    for (size_t i = 0; i < n; i++) f->k[i].set_nil();
    f->sizek = int(n);
    for (size_t i = 0; i < n; i++) {
      uint8_t tt = byte();
      switch (tt) {
        case kTagNil: f->k[i].set_nil(); break;
        case kTagFalse: f->k[i].set_bool(false); break;
        case kTagTrue: f->k[i].set_bool(true); break;
        case kTagInt: f->k[i].set_int(raw<lua_Integer>()); break;
        case kTagFloat: f->k[i].set_float(raw<lua_Number>()); break;
        case kTagShortStr:
        case kTagLongStr: {
          String* s = string();
          if (s == nullptr) error("bad constant");
          f->k[i].set_string(s);
          break;
        }
        default: error("bad constant");
      }
    }
  }
  void upvalues(Proto* f) {
    size_t n = count(255);
    f->upvalues = mem_new_array<UpvalInfo>(L_, n);
    for (size_t i = 0; i < n; i++) f->upvalues[i] = UpvalInfo{nullptr, 0, 0, 0};  // the GC may see them
    f->sizeupvalues = int(n);
    for (size_t i = 0; i < n; i++) {
      uint8_t instack = byte();
      uint8_t idx = byte();
      uint8_t kind = byte();
      f->upvalues[i] = UpvalInfo{nullptr, uint8_t(instack != 0), idx, kind};
    }
  }
  void debug(Proto* f) {
    size_t nlines = count(kMaxInt);
    if (nlines != 0 && nlines != size_t(f->sizecode)) error("bad line information");
    if (nlines) {
      f->lineinfo = mem_new_array<int>(L_, nlines);
      int64_t prev = f->linedefined;
      for (size_t i = 0; i < nlines; i++) {
        size_t z = varint();
        int64_t d = int64_t(z >> 1) ^ -int64_t(z & 1);
        prev += d;
        f->lineinfo[i] = int(prev);
      }
    }
    size_t nloc = count(kMaxInt);
    f->locvars = mem_new_array<LocVarInfo>(L_, nloc);
    for (size_t i = 0; i < nloc; i++) f->locvars[i] = LocVarInfo{nullptr, 0, 0};
    f->sizelocvars = int(nloc);
    for (size_t i = 0; i < nloc; i++) {
      String* name = string();
      if (name == nullptr) error("bad local variable");
      f->locvars[i].name = name;
      f->locvars[i].startpc = int(count(kMaxInt));
      f->locvars[i].endpc = int(count(kMaxInt));
    }
    size_t nup = count(kMaxInt);
    if (nup != 0 && nup != size_t(f->sizeupvalues)) error("bad upvalue names");
    for (size_t i = 0; i < nup; i++) f->upvalues[i].name = string();
  }

 public:
  ptrdiff_t anchor_slot_ = 0;  // stack offset of the anchor table's slot
  int depth_ = 0;              // nesting of functions being read

 private:
  State* L_;
  std::string_view data_;
  const char* name_;
  size_t pos_ = 0;
  std::vector<String*> saved_;
  Table* anchor_ = nullptr;
};

void check_mode(State* L, const char* mode, const char* x) {
  if (mode && std::strchr(mode, x[0]) == nullptr) {
    push_fstring(L, "attempt to load a %s chunk (mode is '%s')", x, mode);
    throw_error(L, kErrSyntax);
  }
}

// Verifies that a loaded prototype cannot make the VM step outside its
// arrays: register, constant, upvalue and prototype indices, jump targets.
bool verify_proto(const Proto* f, const Proto* enclosing);

void load_binary(State* L, std::string_view chunk, const char* chunkname) {
  Undumper u(L, chunk, chunkname);
  u.header();
  uint8_t nup = u.byte();
  StkId anchor = L->top;  // slot for the string anchor table
  anchor->set_nil();
  L->top++;
  u.anchor_slot_ = save_stack(L, anchor);
  Proto* p = u.function(nullptr);
  if (nup != p->sizeupvalues) u.error("corrupted chunk");
  if (!verify_proto(p, nullptr)) u.error("invalid code");
  L->top -= 2;  // the proto and the anchor
  L->top->set_gc(p, kTagProto);  // keep it anchored while the closure is made
  L->top++;
  push_main_closure(L, p);
  L->top[-2] = L->top[-1];
  L->top--;
}

void load_text(State* L, std::string_view chunk, const char* chunkname) {
  CompileOptions opts;
  opts.max_depth = kMaxCCalls - int(c_calls(L->nCcalls));
  std::unique_ptr<FuncProto> fp;
  try {
    fp = compile(chunk, chunkname, opts);
  } catch (const CompileError& e) {
    push_lstring(L, e.message.data(), e.message.size());
    throw_error(L, kErrSyntax);
  }
  GlobalState* g = G(L);
  uint8_t oldstp = g->gcstp;
  g->gcstp |= kGCStopGC;  // no collection while the prototypes are half built
  try {
    Materializer m{L};
    check_stack(L, 4);
    Proto* p = m.build(*fp, nullptr, nullptr);
    L->top->set_gc(p, kTagProto);
    L->top++;
    push_main_closure(L, p);
    L->top[-2] = L->top[-1];
    L->top--;
  } catch (...) {
    g->gcstp = oldstp;
    throw;
  }
  g->gcstp = oldstp;
}

bool verify_code(const Proto* f);

}  // namespace

Status load_chunk(State* L, std::string_view chunk, const char* chunkname, const char* mode) {
  ptrdiff_t old_top = save_stack(L, L->top);
  ptrdiff_t old_errfunc = L->errfunc;
  L->errfunc = 0;
  Status status = run_protected(L, old_top, [&] {
    L->nCcalls++;  // the parser counts as a C++ level
    struct Dec {
      State* L;
      ~Dec() { L->nCcalls--; }
    } dec{L};
    if (!chunk.empty() && chunk[0] == kSignature[0]) {
      check_mode(L, mode, "binary");
      load_binary(L, chunk, chunkname);
    } else {
      check_mode(L, mode, "text");
      load_text(L, chunk, chunkname);
    }
  });
  L->errfunc = old_errfunc;
  return status;
}

bool dump(State* L, bool strip) {
  const Value* o = L->top - 1;
  if (!o->is_lua_closure()) return false;
  const Proto* p = o->as_lua_closure()->p;
  Dumper d(L, strip);
  d.header();
  d.out.push_back(char(p->sizeupvalues));
  d.function(p, nullptr);
  push_lstring(L, d.out.data(), d.out.size());
  return true;
}

namespace {

// 'enclosing' is the function whose registers and upvalues f's upvalues
// capture (null for the loaded function itself: load gives it fresh ones).
bool verify_proto(const Proto* f, const Proto* enclosing) {
  if (!verify_code(f)) return false;
  if (enclosing != nullptr) {
    for (int i = 0; i < f->sizeupvalues; i++) {
      const UpvalInfo& u = f->upvalues[i];
      if (u.instack ? u.idx >= enclosing->maxstacksize : u.idx >= enclosing->sizeupvalues) return false;
    }
  }
  for (int i = 0; i < f->sizep; i++)
    if (!verify_proto(f->p[i], f)) return false;
  return true;
}

// A conservative check of every instruction's operands.
bool verify_code(const Proto* f) {
  int n = f->sizecode;
  int maxreg = f->maxstacksize;
  if (n == 0 || f->numparams > maxreg) return false;
  for (int pc = 0; pc < n; pc++) {
    Instruction i = f->code[pc];
    int op = int(get_op(i));
    if (op >= kNumOpcodes) return false;
    const OpInfo& info = kOpInfo[op];
    OpCode o = OpCode(op);
    int a = arg_a(i);
    if (info.mode != OpMode::Ax && info.mode != OpMode::sJ && o != OpCode::VarArgPrep && o != OpCode::SetTabUp &&
        o != OpCode::Return0 && a >= maxreg + 2)
      return false;
    switch (o) {
      case OpCode::LoadK:
        if (arg_bx(i) >= f->sizek) return false;
        break;
      case OpCode::LoadKX:
      case OpCode::NewTable:
        if (pc + 1 >= n || get_op(f->code[pc + 1]) != OpCode::ExtraArg) return false;
        if (o == OpCode::LoadKX && arg_ax(f->code[pc + 1]) >= f->sizek) return false;
        break;
      case OpCode::GetUpval:
      case OpCode::SetUpval:
        if (arg_b(i) >= f->sizeupvalues) return false;
        break;
      case OpCode::GetTabUp:
        if (arg_b(i) >= f->sizeupvalues || arg_c(i) >= f->sizek || !f->k[arg_c(i)].is_short_string()) return false;
        break;
      case OpCode::SetTabUp:
        if (a >= f->sizeupvalues || arg_b(i) >= f->sizek || !f->k[arg_b(i)].is_short_string()) return false;
        if (arg_k(i) && arg_c(i) >= f->sizek) return false;
        break;
      case OpCode::GetField:
      case OpCode::Self:
        if (arg_c(i) >= f->sizek || !f->k[arg_c(i)].is_short_string()) return false;
        break;
      case OpCode::SetField:
        if (arg_b(i) >= f->sizek || !f->k[arg_b(i)].is_short_string()) return false;
        if (arg_k(i) && arg_c(i) >= f->sizek) return false;
        break;
      case OpCode::SetTable:
      case OpCode::SetI:
        if (arg_k(i) && arg_c(i) >= f->sizek) return false;
        break;
      case OpCode::AddK: case OpCode::SubK: case OpCode::MulK: case OpCode::ModK: case OpCode::PowK:
      case OpCode::DivK: case OpCode::IDivK:
        if (arg_c(i) >= f->sizek || !f->k[arg_c(i)].is_number()) return false;
        break;
      case OpCode::BAndK: case OpCode::BOrK: case OpCode::BXorK:
        if (arg_c(i) >= f->sizek || !f->k[arg_c(i)].is_int()) return false;
        break;
      case OpCode::MMBinK:
      case OpCode::EqK:
        if (arg_b(i) >= f->sizek) return false;
        break;
      case OpCode::MMBin: case OpCode::MMBinI:
        if (arg_c(i) >= kNumTM || pc < 1) return false;
        break;
      case OpCode::Jmp: {
        int dest = pc + 1 + arg_sj(i);
        if (dest < 0 || dest > n) return false;
        break;
      }
      case OpCode::ForLoop:
      case OpCode::TForLoop:
        if (pc + 1 - arg_bx(i) < 0) return false;
        break;
      case OpCode::ForPrep:
      case OpCode::TForPrep:
        if (pc + 1 + arg_bx(i) + 1 > n) return false;
        break;
      case OpCode::Closure:
        if (arg_bx(i) >= f->sizep) return false;
        break;
      case OpCode::ErrNNil:
        if (arg_bx(i) > f->sizek) return false;
        break;
      default: break;
    }
    if (info.is_test && (pc + 1 >= n || get_op(f->code[pc + 1]) != OpCode::Jmp)) return false;
  }
  return true;
}

}  // namespace

}  // namespace rua
