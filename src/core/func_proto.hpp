// The front end's output: a function prototype in plain C++ data.
//
// The compiler produces a tree of FuncProto; the runtime turns it into its own
// garbage-collected Proto objects (materialize.cpp). Keeping this type free of
// GC pointers means the front end never includes VM internals and can be
// tested on its own, and a collection can never run in the middle of a parse.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "opcodes.hpp"

namespace rua {

// A constant of K[]. Strings may hold any bytes.
struct Constant {
  enum class Kind : uint8_t { Nil, False, True, Int, Float, String };
  Kind kind = Kind::Nil;
  int64_t i = 0;   // Int
  double n = 0;    // Float
  std::string s;   // String
};

// Kinds of variables (PUC 5.5's lparser.h VDKREG...): recorded on upvalues for
// the debug library and for error messages about assignment to constants.
enum class VarKind : uint8_t { Regular = 0, Const = 1, ToClose = 2, CompileTimeConst = 3 };

struct UpvalDesc {
  std::string name;        // for debug information
  bool instack = false;    // captured from the enclosing function's registers
  uint8_t idx = 0;         // register (instack) or index in the enclosing function's upvalues
  VarKind kind = VarKind::Regular;
};

struct LocVar {
  std::string name;
  int startpc = 0;  // first instruction where the variable is active
  int endpc = 0;    // first instruction where the variable is dead
};

// Proto flags (PUC's PF_VAHID / PF_VATAB).
constexpr uint8_t kProtoVarargHidden = 1;  // vararg function using hidden arguments
constexpr uint8_t kProtoVarargTable = 2;   // vararg function that needs a real vararg table

struct FuncProto {
  std::vector<Instruction> code;
  std::vector<int> lineinfo;  // source line of each instruction (same size as code)
  std::vector<Constant> k;
  std::vector<std::unique_ptr<FuncProto>> p;  // nested functions, in CLOSURE's Bx order
  std::vector<UpvalDesc> upvalues;
  std::vector<LocVar> locvars;
  std::string source;        // chunk name as given to the compiler ("@file", "=stdin", or text)
  int linedefined = 0;       // 0 for the main chunk
  int lastlinedefined = 0;
  uint8_t numparams = 0;     // fixed parameters
  uint8_t flag = 0;          // kProtoVararg*
  uint8_t maxstacksize = 2;  // registers needed
};

}  // namespace rua
