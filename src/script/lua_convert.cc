#include "script/lua_convert.h"

#include <cmath>
#include <cstdlib>
#include <string>

extern "C" {
#include <lauxlib.h>
}

namespace strata::script {
namespace {

// Reads one reply at *pos; pushes it if push (attributes are skipped). False if malformed.
class ReplyReader {
 public:
  ReplyReader(lua_State* L, std::string_view data) : L_(L), d_(data) {}

  bool Read(bool push) {
    if (pos_ >= d_.size() || !lua_checkstack(L_, 4)) return false;
    const char type = d_[pos_++];
    std::string_view line;
    if (!Line(&line)) return false;
    switch (type) {
      case ':': {
        if (push) lua_pushnumber(L_, static_cast<lua_Number>(std::strtoll(Z(line), nullptr, 10)));
        return true;
      }
      case '+':
        if (push) {
          lua_newtable(L_);
          lua_pushstring(L_, "ok");
          lua_pushlstring(L_, line.data(), line.size());
          lua_settable(L_, -3);
        }
        return true;
      case '-':
        if (push) PushErrorTable(L_, "-" + std::string(line));
        return true;
      case '$':
      case '=': {
        const long long n = std::strtoll(Z(line), nullptr, 10);
        if (n < 0) {
          if (push) lua_pushboolean(L_, 0);
          return true;
        }
        if (pos_ + static_cast<size_t>(n) + 2 > d_.size()) return false;
        std::string_view s = d_.substr(pos_, static_cast<size_t>(n));
        pos_ += static_cast<size_t>(n) + 2;
        if (!push) return true;
        if (type == '$') {
          lua_pushlstring(L_, s.data(), s.size());
        } else {  // verbatim: "txt:..." -> {verbatim_string = {string=, format=}}
          if (s.size() < 4) return false;
          lua_newtable(L_);
          lua_pushstring(L_, "verbatim_string");
          lua_newtable(L_);
          lua_pushstring(L_, "string");
          lua_pushlstring(L_, s.data() + 4, s.size() - 4);
          lua_settable(L_, -3);
          lua_pushstring(L_, "format");
          lua_pushlstring(L_, s.data(), 3);
          lua_settable(L_, -3);
          lua_settable(L_, -3);
        }
        return true;
      }
      case '*':
      case '~':
      case '%':
      case '>': {
        const long long n = std::strtoll(Z(line), nullptr, 10);
        if (n < 0) {
          if (push) lua_pushboolean(L_, 0);
          return true;
        }
        if (type == '*' || type == '>') {
          if (push) lua_newtable(L_);
          for (long long i = 0; i < n; i++) {
            if (push) lua_pushnumber(L_, static_cast<lua_Number>(i + 1));
            if (!Read(push)) return false;
            if (push) lua_settable(L_, -3);
          }
          return true;
        }
        if (push) {
          lua_newtable(L_);
          lua_pushstring(L_, type == '%' ? "map" : "set");
          lua_newtable(L_);
        }
        for (long long i = 0; i < n; i++) {
          if (!Read(push)) return false;
          if (type == '%') {
            if (!Read(push)) return false;
          } else if (push) {
            lua_pushboolean(L_, 1);
          }
          if (push) lua_settable(L_, -3);
        }
        if (push) lua_settable(L_, -3);
        return true;
      }
      case '|': {  // attribute: skipped, then the reply it annotates
        const long long n = std::strtoll(Z(line), nullptr, 10);
        for (long long i = 0; i < 2 * n; i++) {
          if (!Read(false)) return false;
        }
        return Read(push);
      }
      case '_':
        if (push) lua_pushnil(L_);
        return true;
      case '#':
        if (push) lua_pushboolean(L_, line == "t");
        return true;
      case ',':
        if (push) {
          lua_newtable(L_);
          lua_pushstring(L_, "double");
          lua_pushnumber(L_, std::strtod(Z(line), nullptr));
          lua_settable(L_, -3);
        }
        return true;
      case '(':
        if (push) {
          lua_newtable(L_);
          lua_pushstring(L_, "big_number");
          lua_pushlstring(L_, line.data(), line.size());
          lua_settable(L_, -3);
        }
        return true;
      default:
        return false;
    }
  }

 private:
  bool Line(std::string_view* line) {
    const size_t end = d_.find("\r\n", pos_);
    if (end == std::string_view::npos) return false;
    *line = d_.substr(pos_, end - pos_);
    pos_ = end + 2;
    return true;
  }
  const char* Z(std::string_view s) {
    z_.assign(s);
    return z_.c_str();
  }

  lua_State* L_;
  std::string_view d_;
  size_t pos_ = 0;
  std::string z_;
};

// t[field] as a string if it is one.
bool StringField(lua_State* L, int t, const char* field, std::string* out) {
  lua_pushstring(L, field);
  lua_rawget(L, t);
  const bool is = lua_type(L, -1) == LUA_TSTRING;
  if (is) {
    size_t n;
    const char* s = lua_tolstring(L, -1, &n);
    out->assign(s, n);
  }
  lua_pop(L, 1);
  return is;
}

std::string NoNewlines(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

}  // namespace

bool PushReply(lua_State* L, std::string_view data) {
  const int top = lua_gettop(L);
  ReplyReader r(L, data);
  if (r.Read(true)) return true;
  lua_settop(L, top);
  return false;
}

void PushErrorTable(lua_State* L, std::string_view error) {
  std::string code = "ERR", msg;
  if (!error.empty() && error[0] == '-') {
    const size_t sp = error.find(' ');
    if (sp == std::string_view::npos) {
      msg.assign(error.substr(1));
    } else {
      code.assign(error.substr(1, sp - 1));
      msg.assign(error.substr(sp + 1));
    }
  } else {
    msg.assign(error);
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.pop_back();
  while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) msg.erase(0, 1);
  const std::string full = code + " " + msg;
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, full.data(), full.size());
  lua_settable(L, -3);
}

void WriteValue(lua_State* L, resp::Writer& w, int script_resp) {
  if (!lua_checkstack(L, 4)) {
    w.Error("ERR reached lua stack limit");
    lua_pop(L, 1);
    return;
  }
  const int t = lua_gettop(L);
  switch (lua_type(L, t)) {
    case LUA_TSTRING: {
      size_t n;
      const char* s = lua_tolstring(L, t, &n);
      w.Bulk(std::string_view(s, n));
      break;
    }
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        lua_toboolean(L, t) ? w.Integer(1) : w.Null();
      } else {
        w.Bool(lua_toboolean(L, t) != 0);
      }
      break;
    case LUA_TNUMBER: {
      // Redis casts to long long; on x86 a value out of its range (or NaN) gives LLONG_MIN.
      const double d = lua_tonumber(L, t);
      const bool fits = d >= -9223372036854775808.0 && d < 9223372036854775808.0;
      w.Integer(fits ? static_cast<int64_t>(d) : INT64_MIN);
      break;
    }
    case LUA_TTABLE: {
      std::string s;
      if (StringField(L, t, "err", &s)) {
        w.Error(s);
        break;
      }
      if (StringField(L, t, "ok", &s)) {
        w.Simple(NoNewlines(std::move(s)));
        break;
      }
      lua_pushstring(L, "double");
      lua_rawget(L, t);
      if (lua_type(L, -1) == LUA_TNUMBER) {
        w.Double(lua_tonumber(L, -1));
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      if (StringField(L, t, "big_number", &s)) {
        s = NoNewlines(std::move(s));
        if (w.proto() >= 3) {
          w.buffer()->append("(").append(s).append("\r\n");
        } else {
          w.Bulk(s);
        }
        break;
      }
      lua_pushstring(L, "verbatim_string");
      lua_rawget(L, t);
      if (lua_type(L, -1) == LUA_TTABLE) {
        std::string format, text;
        const int v = lua_gettop(L);
        if (StringField(L, v, "format", &format) && StringField(L, v, "string", &text)) {
          w.Verbatim(text, format);
          lua_pop(L, 1);
          break;
        }
      }
      lua_pop(L, 1);
      lua_pushstring(L, "map");
      lua_rawget(L, t);
      if (lua_type(L, -1) == LUA_TTABLE) {
        const int m = lua_gettop(L);
        int64_t n = 0;
        for (lua_pushnil(L); lua_next(L, m) != 0; lua_pop(L, 1)) n++;
        w.MapHeader(n);
        for (lua_pushnil(L); lua_next(L, m) != 0;) {
          lua_pushvalue(L, -2);  // key, consumed by the write
          WriteValue(L, w, script_resp);
          WriteValue(L, w, script_resp);  // value
        }
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      lua_pushstring(L, "set");
      lua_rawget(L, t);
      if (lua_type(L, -1) == LUA_TTABLE) {
        const int m = lua_gettop(L);
        int64_t n = 0;
        for (lua_pushnil(L); lua_next(L, m) != 0; lua_pop(L, 1)) n++;
        w.SetHeader(n);
        for (lua_pushnil(L); lua_next(L, m) != 0;) {
          lua_pop(L, 1);  // the value (true)
          lua_pushvalue(L, -1);
          WriteValue(L, w, script_resp);
        }
        lua_pop(L, 1);
        break;
      }
      lua_pop(L, 1);
      // An array: elements 1, 2, ... up to the first nil.
      int64_t n = 0;
      for (;; n++) {
        lua_rawgeti(L, t, static_cast<int>(n + 1));
        const bool nil = lua_isnil(L, -1);
        lua_pop(L, 1);
        if (nil) break;
      }
      w.ArrayHeader(n);
      for (int64_t i = 1; i <= n; i++) {
        lua_rawgeti(L, t, static_cast<int>(i));
        WriteValue(L, w, script_resp);
      }
      break;
    }
    default:
      w.Null();
  }
  lua_settop(L, t - 1);
}

}  // namespace strata::script
