// list_proto: a bytecode listing in the style of 'luac -l' (rua --list).
#include <cinttypes>
#include <cstdio>
#include <string>

#include "compiler.hpp"
#include "numconv.hpp"

namespace rua {
namespace {

std::string constant_text(const Constant& c) {
  char buf[kNumberBufferSize];
  switch (c.kind) {
    case Constant::Kind::Nil: return "nil";
    case Constant::Kind::False: return "false";
    case Constant::Kind::True: return "true";
    case Constant::Kind::Int: number_to_string(c.i, buf); return buf;
    case Constant::Kind::Float: number_to_string(c.n, buf); return buf;
    case Constant::Kind::String: {
      std::string s = "\"";
      for (unsigned char ch : c.s) {
        if (ch == '"' || ch == '\\') {
          s += '\\';
          s += char(ch);
        } else if (ch >= 32 && ch < 127) {
          s += char(ch);
        } else {
          std::snprintf(buf, sizeof buf, "\\%03d", ch);
          s += buf;
        }
      }
      return s + "\"";
    }
  }
  return "?";
}

// Operands as luac prints them: registers plain, constants and immediates
// explained in the comment column.
std::string operands(const FuncProto& f, Instruction i, int pc) {
  char buf[128];
  const OpInfo& info = op_info(get_op(i));
  int a = arg_a(i);
  switch (info.mode) {
    case OpMode::ABC:
      std::snprintf(buf, sizeof buf, "%d %d %d%s", a, arg_b(i), arg_c(i), arg_k(i) ? "k" : "");
      break;
    case OpMode::vABC:
      std::snprintf(buf, sizeof buf, "%d %d %d%s", a, arg_vb(i), arg_vc(i), arg_k(i) ? "k" : "");
      break;
    case OpMode::ABx: std::snprintf(buf, sizeof buf, "%d %d", a, arg_bx(i)); break;
    case OpMode::AsBx: std::snprintf(buf, sizeof buf, "%d %d", a, arg_sbx(i)); break;
    case OpMode::Ax: std::snprintf(buf, sizeof buf, "%d", arg_ax(i)); break;
    case OpMode::sJ: std::snprintf(buf, sizeof buf, "%d\t; to %d", arg_sj(i), pc + arg_sj(i) + 2); return buf;
  }
  std::string s = buf;
  auto kcomment = [&](int k) {
    if (k >= 0 && size_t(k) < f.k.size()) s += "\t; " + constant_text(f.k[size_t(k)]);
  };
  switch (get_op(i)) {
    case OpCode::LoadK: kcomment(arg_bx(i)); break;
    case OpCode::GetTabUp:
    case OpCode::GetField:
    case OpCode::Self: kcomment(arg_c(i)); break;
    case OpCode::SetTabUp:
    case OpCode::SetField: kcomment(arg_b(i)); break;
    case OpCode::EqK: kcomment(arg_b(i)); break;
    case OpCode::AddK:
    case OpCode::SubK:
    case OpCode::MulK:
    case OpCode::ModK:
    case OpCode::PowK:
    case OpCode::DivK:
    case OpCode::IDivK:
    case OpCode::BAndK:
    case OpCode::BOrK:
    case OpCode::BXorK: kcomment(arg_c(i)); break;
    case OpCode::ForLoop:
    case OpCode::TForLoop: s += "\t; to " + std::to_string(pc - arg_bx(i) + 2); break;
    case OpCode::ForPrep:
    case OpCode::TForPrep: s += "\t; exit to " + std::to_string(pc + arg_bx(i) + 3); break;
    default: break;
  }
  return s;
}

void list_one(const FuncProto& f, const std::string& source, bool full, std::string& out) {
  char buf[256];
  const char* what = f.linedefined == 0 ? "main" : "function";
  std::string src = chunk_id(source);
  std::snprintf(buf, sizeof buf, "\n%s <%s:%d,%d> (%zu instructions)\n", what, src.c_str(), f.linedefined,
                f.lastlinedefined, f.code.size());
  out += buf;
  std::snprintf(buf, sizeof buf,
                "%d%s params, %d slots, %zu upvalues, %zu locals, %zu constants, %zu functions\n",
                f.numparams, f.flag ? "+" : "", f.maxstacksize, f.upvalues.size(), f.locvars.size(),
                f.k.size(), f.p.size());
  out += buf;
  for (size_t pc = 0; pc < f.code.size(); pc++) {
    Instruction i = f.code[pc];
    std::snprintf(buf, sizeof buf, "\t%zu\t[%d]\t%-9s\t", pc + 1, f.lineinfo[pc], op_info(get_op(i)).name);
    out += buf;
    out += operands(f, i, int(pc));
    out += '\n';
  }
  if (!full) return;
  out += "constants (" + std::to_string(f.k.size()) + "):\n";
  for (size_t k = 0; k < f.k.size(); k++)
    out += "\t" + std::to_string(k) + "\t" + constant_text(f.k[k]) + "\n";
  out += "locals (" + std::to_string(f.locvars.size()) + "):\n";
  for (size_t k = 0; k < f.locvars.size(); k++) {
    std::snprintf(buf, sizeof buf, "\t%zu\t%s\t%d\t%d\n", k, f.locvars[k].name.c_str(),
                  f.locvars[k].startpc + 1, f.locvars[k].endpc + 1);
    out += buf;
  }
  out += "upvalues (" + std::to_string(f.upvalues.size()) + "):\n";
  for (size_t k = 0; k < f.upvalues.size(); k++) {
    std::snprintf(buf, sizeof buf, "\t%zu\t%s\t%d\t%d\n", k, f.upvalues[k].name.c_str(),
                  int(f.upvalues[k].instack), int(f.upvalues[k].idx));
    out += buf;
  }
}

// Nested prototypes leave 'source' empty: they show the chunk's.
void list_tree(const FuncProto& f, const std::string& source, bool recursive, std::string& out) {
  list_one(f, source, recursive, out);
  if (recursive)
    for (const auto& child : f.p) list_tree(*child, source, recursive, out);
}

}  // namespace

std::string list_proto(const FuncProto& f, bool recursive) {
  std::string out;
  list_tree(f, f.source, recursive, out);
  return out;
}

}  // namespace rua
