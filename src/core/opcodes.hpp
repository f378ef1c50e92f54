// The Lua 5.5 instruction set: encoding, opcodes and their properties.
//
// This header and func_proto.hpp are the only meeting point of the front end
// (lexer, parser, compiler) and the VM. The encoding is PUC Lua 5.5's exactly,
// so that listings, debug information and the compiler's choices can be
// compared one to one with the reference implementation.
//
//   iABC    C(8)  | B(8)  |k| A(8) | Op(7)
//   ivABC   vC(10)| vB(6) |k| A(8) | Op(7)
//   iABx    Bx(17)          | A(8) | Op(7)
//   iAsBx   sBx(17)         | A(8) | Op(7)   (excess 65535)
//   iAx     Ax(25)                 | Op(7)
//   isJ     sJ(25)                 | Op(7)   (excess 16777215)
//
// Signed arguments are stored in excess K: the value is the unsigned field
// minus half its maximum (rounded down).
#pragma once

#include <cstdint>

namespace rua {

using Instruction = uint32_t;

enum class OpMode : uint8_t { ABC, vABC, ABx, AsBx, Ax, sJ };

constexpr int kSizeC = 8, kSizeVC = 10, kSizeB = 8, kSizeVB = 6, kSizeA = 8, kSizeOp = 7;
constexpr int kSizeBx = kSizeC + kSizeB + 1;
constexpr int kSizeAx = kSizeBx + kSizeA;
constexpr int kSizeSJ = kSizeBx + kSizeA;

constexpr int kPosOp = 0;
constexpr int kPosA = kPosOp + kSizeOp;
constexpr int kPosK = kPosA + kSizeA;
constexpr int kPosB = kPosK + 1;
constexpr int kPosVB = kPosK + 1;
constexpr int kPosC = kPosB + kSizeB;
constexpr int kPosVC = kPosVB + kSizeVB;
constexpr int kPosBx = kPosK;
constexpr int kPosAx = kPosA;
constexpr int kPosSJ = kPosA;

constexpr int kMaxArgA = (1 << kSizeA) - 1;
constexpr int kMaxArgB = (1 << kSizeB) - 1;
constexpr int kMaxArgC = (1 << kSizeC) - 1;
constexpr int kMaxArgVB = (1 << kSizeVB) - 1;
constexpr int kMaxArgVC = (1 << kSizeVC) - 1;
constexpr int kMaxArgBx = (1 << kSizeBx) - 1;
constexpr int kMaxArgAx = (1 << kSizeAx) - 1;
constexpr int kMaxArgSJ = (1 << kSizeSJ) - 1;
constexpr int kOffsetSBx = kMaxArgBx >> 1;
constexpr int kOffsetSJ = kMaxArgSJ >> 1;
constexpr int kOffsetSC = kMaxArgC >> 1;

// Registers of one function: 0..254; 255 means "no register".
constexpr int kMaxRegisters = kMaxArgA;
constexpr int kNoReg = kMaxRegisters;
// Largest constant index usable directly in an RK or K[B]/K[C] operand.
constexpr int kMaxIndexRK = kMaxArgB;
// Number of list items accumulated before a SETLIST is emitted.
constexpr int kFieldsPerFlush = 50;

// ORDER OP: the numbering is PUC Lua 5.5's.
enum class OpCode : uint8_t {
  Move,        // A B      R[A] := R[B]
  LoadI,       // A sBx    R[A] := sBx
  LoadF,       // A sBx    R[A] := (float)sBx
  LoadK,       // A Bx     R[A] := K[Bx]
  LoadKX,      // A        R[A] := K[extra arg]
  LoadFalse,   // A        R[A] := false
  LFalseSkip,  // A        R[A] := false; pc++
  LoadTrue,    // A        R[A] := true
  LoadNil,     // A B      R[A], ..., R[A+B] := nil
  GetUpval,    // A B      R[A] := Up[B]
  SetUpval,    // A B      Up[B] := R[A]
  GetTabUp,    // A B C    R[A] := Up[B][K[C]:shortstring]
  GetTable,    // A B C    R[A] := R[B][R[C]]
  GetI,        // A B C    R[A] := R[B][C]
  GetField,    // A B C    R[A] := R[B][K[C]:shortstring]
  SetTabUp,    // A B C    Up[A][K[B]:shortstring] := RK(C)
  SetTable,    // A B C    R[A][R[B]] := RK(C)
  SetI,        // A B C    R[A][B] := RK(C)
  SetField,    // A B C    R[A][K[B]:shortstring] := RK(C)
  NewTable,    // A vB vC k  R[A] := {} (vB: log2(hash size)+1 or 0; array size vC, or EXTRAARG*(MaxVC+1)+vC if k)
  Self,        // A B C    R[A+1] := R[B]; R[A] := R[B][K[C]:shortstring]
  AddI,        // A B sC   R[A] := R[B] + sC
  AddK,        // A B C    R[A] := R[B] + K[C]:number
  SubK,        // A B C    R[A] := R[B] - K[C]:number
  MulK,        // A B C    R[A] := R[B] * K[C]:number
  ModK,        // A B C    R[A] := R[B] % K[C]:number
  PowK,        // A B C    R[A] := R[B] ^ K[C]:number
  DivK,        // A B C    R[A] := R[B] / K[C]:number
  IDivK,       // A B C    R[A] := R[B] // K[C]:number
  BAndK,       // A B C    R[A] := R[B] & K[C]:integer
  BOrK,        // A B C    R[A] := R[B] | K[C]:integer
  BXorK,       // A B C    R[A] := R[B] ~ K[C]:integer
  ShlI,        // A B sC   R[A] := sC << R[B]
  ShrI,        // A B sC   R[A] := R[B] >> sC
  Add,         // A B C    R[A] := R[B] + R[C]
  Sub,         // A B C    R[A] := R[B] - R[C]
  Mul,         // A B C    R[A] := R[B] * R[C]
  Mod,         // A B C    R[A] := R[B] % R[C]
  Pow,         // A B C    R[A] := R[B] ^ R[C]
  Div,         // A B C    R[A] := R[B] / R[C]
  IDiv,        // A B C    R[A] := R[B] // R[C]
  BAnd,        // A B C    R[A] := R[B] & R[C]
  BOr,         // A B C    R[A] := R[B] | R[C]
  BXor,        // A B C    R[A] := R[B] ~ R[C]
  Shl,         // A B C    R[A] := R[B] << R[C]
  Shr,         // A B C    R[A] := R[B] >> R[C]
  MMBin,       // A B C    call metamethod C (a TM) over R[A] and R[B]
  MMBinI,      // A sB C k call metamethod C over R[A] and sB (k: flipped)
  MMBinK,      // A B C k  call metamethod C over R[A] and K[B] (k: flipped)
  Unm,         // A B      R[A] := -R[B]
  BNot,        // A B      R[A] := ~R[B]
  Not,         // A B      R[A] := not R[B]
  Len,         // A B      R[A] := #R[B]
  Concat,      // A B      R[A] := R[A] .. ... .. R[A+B-1]
  Close,       // A        close upvalues and to-be-closed variables >= R[A]
  Tbc,         // A        mark R[A] to be closed
  Jmp,         // sJ       pc += sJ
  Eq,          // A B k    if ((R[A] == R[B]) ~= k) then pc++
  Lt,          // A B k    if ((R[A] <  R[B]) ~= k) then pc++
  Le,          // A B k    if ((R[A] <= R[B]) ~= k) then pc++
  EqK,         // A B k    if ((R[A] == K[B]) ~= k) then pc++
  EqI,         // A sB k   if ((R[A] == sB) ~= k) then pc++   (C: operand was a float)
  LtI,         // A sB k   if ((R[A] <  sB) ~= k) then pc++
  LeI,         // A sB k   if ((R[A] <= sB) ~= k) then pc++
  GtI,         // A sB k   if ((R[A] >  sB) ~= k) then pc++
  GeI,         // A sB k   if ((R[A] >= sB) ~= k) then pc++
  Test,        // A k      if (not R[A] == k) then pc++
  TestSet,     // A B k    if (not R[B] == k) then pc++ else R[A] := R[B]
  Call,        // A B C    R[A], ..., R[A+C-2] := R[A](R[A+1], ..., R[A+B-1]); B=0: args to top; C=0: set top
  TailCall,    // A B C k  return R[A](R[A+1], ..., R[A+B-1]); k: close upvalues; C>0: hidden varargs, C-1 fixed params
  Return,      // A B C k  return R[A], ..., R[A+B-2]; B=0: to top; k and C as TailCall
  Return0,     //          return
  Return1,     // A        return R[A]
  ForLoop,     // A Bx     update counters; if loop continues then pc -= Bx
  ForPrep,     // A Bx     check values, prepare counters; if not to run then pc += Bx + 1
  TForPrep,    // A Bx     create to-be-closed for R[A+3]; pc += Bx
  TForCall,    // A C      R[A+4], ..., R[A+3+C] := R[A](R[A+1], R[A+2])
  TForLoop,    // A Bx     if R[A+2] ~= nil then { R[A] := R[A+2]; pc -= Bx }  (5.5: control at A+2)
  SetList,     // A vB vC k  R[A][vC+i] := R[A+i], 1 <= i <= vB (vB=0: to top; k: vC += EXTRAARG*(MaxVC+1))
  Closure,     // A Bx     R[A] := closure(KPROTO[Bx])
  VarArg,      // A B C k  R[A], ..., R[A+C-2] := varargs (C=0: all, set top); k: vararg table in R[B]
  GetVarg,     // A B C    R[A] := R[B][R[C]], R[B] is the (virtual) vararg table
  ErrNNil,     // A Bx     error if R[A] ~= nil (global K[Bx-1] already defined; Bx=0: name unknown)
  VarArgPrep,  //          adjust varargs (build hidden arguments or the vararg table)
  ExtraArg,    // Ax       extra (larger) argument for the previous opcode
};

constexpr int kNumOpcodes = static_cast<int>(OpCode::ExtraArg) + 1;

// Properties of each opcode (PUC's luaP_opmodes).
struct OpInfo {
  const char* name;  // upper case, as PUC's listings print it
  OpMode mode;
  bool sets_a;       // instruction sets register A
  bool is_test;      // next instruction must be a jump
  bool uses_top;     // uses L->top set by the previous instruction (when B == 0)
  bool sets_top;     // sets L->top for the next instruction (when C == 0)
  bool is_mm;        // calls a metamethod (MMBIN family)
};
extern const OpInfo kOpInfo[kNumOpcodes];

inline const OpInfo& op_info(OpCode op) { return kOpInfo[static_cast<int>(op)]; }

// ---- decoding ----
constexpr uint32_t mask1(int n, int p) { return (~(~uint32_t(0) << n)) << p; }
constexpr int field(Instruction i, int pos, int size) { return static_cast<int>((i >> pos) & mask1(size, 0)); }

constexpr OpCode get_op(Instruction i) { return static_cast<OpCode>(i & mask1(kSizeOp, 0)); }
constexpr int arg_a(Instruction i) { return field(i, kPosA, kSizeA); }
constexpr int arg_b(Instruction i) { return field(i, kPosB, kSizeB); }
constexpr int arg_c(Instruction i) { return field(i, kPosC, kSizeC); }
constexpr int arg_sb(Instruction i) { return arg_b(i) - kOffsetSC; }
constexpr int arg_sc(Instruction i) { return arg_c(i) - kOffsetSC; }
constexpr int arg_vb(Instruction i) { return field(i, kPosVB, kSizeVB); }
constexpr int arg_vc(Instruction i) { return field(i, kPosVC, kSizeVC); }
constexpr int arg_k(Instruction i) { return field(i, kPosK, 1); }
constexpr int arg_bx(Instruction i) { return field(i, kPosBx, kSizeBx); }
constexpr int arg_sbx(Instruction i) { return arg_bx(i) - kOffsetSBx; }
constexpr int arg_ax(Instruction i) { return field(i, kPosAx, kSizeAx); }
constexpr int arg_sj(Instruction i) { return field(i, kPosSJ, kSizeSJ) - kOffsetSJ; }

// ---- encoding ----
constexpr Instruction make_abck(OpCode o, int a, int b, int c, int k) {
  return (Instruction(o) << kPosOp) | (Instruction(a) << kPosA) | (Instruction(b) << kPosB) |
         (Instruction(c) << kPosC) | (Instruction(k) << kPosK);
}
constexpr Instruction make_vabck(OpCode o, int a, int b, int c, int k) {
  return (Instruction(o) << kPosOp) | (Instruction(a) << kPosA) | (Instruction(b) << kPosVB) |
         (Instruction(c) << kPosVC) | (Instruction(k) << kPosK);
}
constexpr Instruction make_abx(OpCode o, int a, unsigned bx) {
  return (Instruction(o) << kPosOp) | (Instruction(a) << kPosA) | (Instruction(bx) << kPosBx);
}
constexpr Instruction make_asbx(OpCode o, int a, int sbx) { return make_abx(o, a, unsigned(sbx + kOffsetSBx)); }
constexpr Instruction make_ax(OpCode o, unsigned ax) { return (Instruction(o) << kPosOp) | (Instruction(ax) << kPosAx); }
constexpr Instruction make_sj(OpCode o, int sj, int k) {
  return (Instruction(o) << kPosOp) | (Instruction(unsigned(sj + kOffsetSJ)) << kPosSJ) | (Instruction(k) << kPosK);
}

constexpr Instruction set_field(Instruction i, int v, int pos, int size) {
  return (i & ~mask1(size, pos)) | ((Instruction(v) << pos) & mask1(size, pos));
}
constexpr Instruction set_op(Instruction i, OpCode o) { return set_field(i, int(o), kPosOp, kSizeOp); }
constexpr Instruction set_a(Instruction i, int v) { return set_field(i, v, kPosA, kSizeA); }
constexpr Instruction set_b(Instruction i, int v) { return set_field(i, v, kPosB, kSizeB); }
constexpr Instruction set_c(Instruction i, int v) { return set_field(i, v, kPosC, kSizeC); }
constexpr Instruction set_k(Instruction i, int v) { return set_field(i, v, kPosK, 1); }
constexpr Instruction set_bx(Instruction i, int v) { return set_field(i, v, kPosBx, kSizeBx); }
constexpr Instruction set_sbx(Instruction i, int v) { return set_bx(i, v + kOffsetSBx); }
constexpr Instruction set_sj(Instruction i, int v) { return set_field(i, v + kOffsetSJ, kPosSJ, kSizeSJ); }

// True if the instruction leaves its results open (up to top) for the next one.
bool op_is_ot(Instruction i);
// True if the instruction takes its operands up to top (set by the previous one).
bool op_is_it(Instruction i);

// Metamethod events, in PUC's order (ORDER TM). MMBIN's C operand is one of these.
enum class TM : uint8_t {
  Index, NewIndex, Gc, Mode, Len, Eq,  // the first six are cached as "absent" in tables
  Add, Sub, Mul, Mod, Pow, Div, IDiv, BAnd, BOr, BXor, Shl, Shr,
  Unm, BNot, Lt, Le, Concat, Call, Close,
  N
};
constexpr int kNumTM = static_cast<int>(TM::N);

}  // namespace rua
