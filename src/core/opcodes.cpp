#include "opcodes.hpp"

namespace rua {

namespace {
constexpr OpInfo op(const char* name, OpMode m, bool a, bool t = false, bool it = false, bool ot = false,
                    bool mm = false) {
  return OpInfo{name, m, a, t, it, ot, mm};
}
}  // namespace

// Same table as PUC's luaP_opmodes (lopcodes.c).
const OpInfo kOpInfo[kNumOpcodes] = {
    op("MOVE", OpMode::ABC, true),
    op("LOADI", OpMode::AsBx, true),
    op("LOADF", OpMode::AsBx, true),
    op("LOADK", OpMode::ABx, true),
    op("LOADKX", OpMode::ABx, true),
    op("LOADFALSE", OpMode::ABC, true),
    op("LFALSESKIP", OpMode::ABC, true),
    op("LOADTRUE", OpMode::ABC, true),
    op("LOADNIL", OpMode::ABC, true),
    op("GETUPVAL", OpMode::ABC, true),
    op("SETUPVAL", OpMode::ABC, false),
    op("GETTABUP", OpMode::ABC, true),
    op("GETTABLE", OpMode::ABC, true),
    op("GETI", OpMode::ABC, true),
    op("GETFIELD", OpMode::ABC, true),
    op("SETTABUP", OpMode::ABC, false),
    op("SETTABLE", OpMode::ABC, false),
    op("SETI", OpMode::ABC, false),
    op("SETFIELD", OpMode::ABC, false),
    op("NEWTABLE", OpMode::vABC, true),
    op("SELF", OpMode::ABC, true),
    op("ADDI", OpMode::ABC, true),
    op("ADDK", OpMode::ABC, true),
    op("SUBK", OpMode::ABC, true),
    op("MULK", OpMode::ABC, true),
    op("MODK", OpMode::ABC, true),
    op("POWK", OpMode::ABC, true),
    op("DIVK", OpMode::ABC, true),
    op("IDIVK", OpMode::ABC, true),
    op("BANDK", OpMode::ABC, true),
    op("BORK", OpMode::ABC, true),
    op("BXORK", OpMode::ABC, true),
    op("SHLI", OpMode::ABC, true),
    op("SHRI", OpMode::ABC, true),
    op("ADD", OpMode::ABC, true),
    op("SUB", OpMode::ABC, true),
    op("MUL", OpMode::ABC, true),
    op("MOD", OpMode::ABC, true),
    op("POW", OpMode::ABC, true),
    op("DIV", OpMode::ABC, true),
    op("IDIV", OpMode::ABC, true),
    op("BAND", OpMode::ABC, true),
    op("BOR", OpMode::ABC, true),
    op("BXOR", OpMode::ABC, true),
    op("SHL", OpMode::ABC, true),
    op("SHR", OpMode::ABC, true),
    op("MMBIN", OpMode::ABC, false, false, false, false, true),
    op("MMBINI", OpMode::ABC, false, false, false, false, true),
    op("MMBINK", OpMode::ABC, false, false, false, false, true),
    op("UNM", OpMode::ABC, true),
    op("BNOT", OpMode::ABC, true),
    op("NOT", OpMode::ABC, true),
    op("LEN", OpMode::ABC, true),
    op("CONCAT", OpMode::ABC, true),
    op("CLOSE", OpMode::ABC, false),
    op("TBC", OpMode::ABC, false),
    op("JMP", OpMode::sJ, false),
    op("EQ", OpMode::ABC, false, true),
    op("LT", OpMode::ABC, false, true),
    op("LE", OpMode::ABC, false, true),
    op("EQK", OpMode::ABC, false, true),
    op("EQI", OpMode::ABC, false, true),
    op("LTI", OpMode::ABC, false, true),
    op("LEI", OpMode::ABC, false, true),
    op("GTI", OpMode::ABC, false, true),
    op("GEI", OpMode::ABC, false, true),
    op("TEST", OpMode::ABC, false, true),
    op("TESTSET", OpMode::ABC, true, true),
    op("CALL", OpMode::ABC, true, false, true, true),
    op("TAILCALL", OpMode::ABC, true, false, true, true),
    op("RETURN", OpMode::ABC, false, false, true),
    op("RETURN0", OpMode::ABC, false),
    op("RETURN1", OpMode::ABC, false),
    op("FORLOOP", OpMode::ABx, true),
    op("FORPREP", OpMode::ABx, true),
    op("TFORPREP", OpMode::ABx, false),
    op("TFORCALL", OpMode::ABC, false),
    op("TFORLOOP", OpMode::ABx, true),
    op("SETLIST", OpMode::vABC, false, false, true),
    op("CLOSURE", OpMode::ABx, true),
    op("VARARG", OpMode::ABC, true, false, false, true),
    op("GETVARG", OpMode::ABC, true),
    op("ERRNNIL", OpMode::ABx, false),
    op("VARARGPREP", OpMode::ABC, false),
    op("EXTRAARG", OpMode::Ax, false),
};

// PUC's luaP_isOT: OP_TAILCALL always leaves results open; others when C == 0.
bool op_is_ot(Instruction i) {
  OpCode o = get_op(i);
  switch (o) {
    case OpCode::TailCall: return true;
    default: return op_info(o).sets_top && arg_c(i) == 0;
  }
}

// PUC's luaP_isIT: SETLIST with vB == 0; others with B == 0.
bool op_is_it(Instruction i) {
  OpCode o = get_op(i);
  switch (o) {
    case OpCode::SetList: return op_info(o).uses_top && arg_vb(i) == 0;
    default: return op_info(o).uses_top && arg_b(i) == 0;
  }
}

}  // namespace rua
