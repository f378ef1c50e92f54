// The measurement behind rua.json's parser choice (see src/json/decode.cpp):
// decoding the benchmark documents into Lua tables with rua.json's own parser
// and with simdjson 3 (Debian libsimdjson-dev; DOM and On-Demand front ends)
// building the same tables through the same native API. Run by
//   bench/json/run.sh --parser-choice BUILD
// which builds it against BUILD's static libraries when simdjson is installed.
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "decode.hpp"
#include "json.hpp"

namespace {

using namespace rua;
using Clock = std::chrono::steady_clock;

void push_dom(State* L, simdjson::dom::element e) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::ARRAY: {
      simdjson::dom::array a = e.get_array().value_unsafe();
      create_table(L, int(a.size()), 0);  // simdjson knows the sizes: exact tables
      lua_Integer i = 1;
      for (simdjson::dom::element x : a) {
        push_dom(L, x);
        raw_set_i(L, -2, i++);
      }
      break;
    }
    case T::OBJECT: {
      simdjson::dom::object o = e.get_object().value_unsafe();
      create_table(L, 0, int(o.size()));
      for (simdjson::dom::key_value_pair kv : o) {
        push_lstring(L, kv.key.data(), kv.key.size());
        push_dom(L, kv.value);
        raw_set(L, -3);
      }
      break;
    }
    case T::INT64: push_integer(L, e.get_int64().value_unsafe()); break;
    case T::UINT64: push_number(L, double(e.get_uint64().value_unsafe())); break;
    case T::DOUBLE: push_number(L, e.get_double().value_unsafe()); break;
    case T::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      push_lstring(L, s.data(), s.size());
      break;
    }
    case T::BOOL: push_boolean(L, e.get_bool().value_unsafe()); break;
    case T::NULL_VALUE: push_light_userdata(L, json_null_sentinel()); break;
  }
}

template <typename V>
void push_ondemand(State* L, V&& v) {
  using T = simdjson::ondemand::json_type;
  switch (v.type().value_unsafe()) {
    case T::array: {
      new_table(L);
      lua_Integer i = 1;
      for (auto x : v.get_array()) {
        push_ondemand(L, x.value_unsafe());
        raw_set_i(L, -2, i++);
      }
      break;
    }
    case T::object: {
      new_table(L);
      for (auto field : v.get_object()) {
        std::string_view k = field.unescaped_key().value_unsafe();
        push_lstring(L, k.data(), k.size());
        push_ondemand(L, field.value().value_unsafe());
        raw_set(L, -3);
      }
      break;
    }
    case T::number: {
      simdjson::ondemand::number n = v.get_number().value_unsafe();
      if (n.is_int64())
        push_integer(L, n.get_int64());
      else
        push_number(L, n.as_double());
      break;
    }
    case T::string: {
      std::string_view s = v.get_string().value_unsafe();
      push_lstring(L, s.data(), s.size());
      break;
    }
    case T::boolean: push_boolean(L, v.get_bool().value_unsafe()); break;
    case T::null: push_light_userdata(L, json_null_sentinel()); break;
  }
}

// MB/s of f over the document (best of 5 rounds of about 0.2 s each).
template <typename F>
double rate(const std::string& doc, F f) {
  double best = 0;
  for (int round = 0; round < 5; round++) {
    int reps = 0;
    auto t0 = Clock::now();
    double secs;
    do {
      f();
      reps++;
      secs = std::chrono::duration<double>(Clock::now() - t0).count();
    } while (secs < 0.2);
    best = std::max(best, double(doc.size()) * reps / secs / 1e6);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: parser_choice DOCDIR\n");
    return 2;
  }
  State* L = new_state_std();
  simdjson::dom::parser dom;
  simdjson::ondemand::parser od;
  std::printf("%-8s %12s %12s %12s %12s  (MB/s, decoded into Lua tables)\n", "doc", "rua.json", "simd-dom",
              "simd-ondemand", "dom-parse");
  for (const char* name : {"small", "medium", "large"}) {
    std::ifstream in(std::string(argv[1]) + "/" + name + ".json", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string doc = ss.str();
    int top = get_top(L);
    std::string err;
    double own = rate(doc, [&] {
      if (!json::decode_text(L, doc, {}, err)) std::abort();
      set_top(L, top);
    });
    double sdom = rate(doc, [&] {
      simdjson::padded_string p(doc);  // a Lua string has no padding: copy
      push_dom(L, dom.parse(p).value());
      set_top(L, top);
    });
    double sod = rate(doc, [&] {
      simdjson::padded_string p(doc);
      auto d = od.iterate(p);
      push_ondemand(L, d.get_value().value());
      set_top(L, top);
    });
    double parse_only = rate(doc, [&] {
      simdjson::padded_string p(doc);
      (void)dom.parse(p).value();
    });
    gc(L, kGcCollect);
    std::printf("%-8s %12.1f %12.1f %12.1f %12.1f\n", name, own, sdom, sod, parse_only);
  }
  close_state(L);
  return 0;
}
