#include "script/lua_engine.h"

#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

#include "script/lua_convert.h"

namespace strata::script {
namespace {

constexpr const char* kEngineKey = "strata_engine";        // registry: LuaEngine*
constexpr const char* kProtectedKey = "strata_protected";  // registry: set of read-only tables

// Raises msg with the position of the Lua code that caused it (stack level 1: the caller of
// the C function raising, as Redis's patched Lua reports it). Never returns.
int RaiseAtCaller(lua_State* L, const char* msg) {
  luaL_where(L, 1);
  lua_pushstring(L, msg);
  lua_concat(L, 2);
  return lua_error(L);
}

// __newindex of every protected table.
int ReadonlyError(lua_State* L) { return RaiseAtCaller(L, "Attempt to modify a readonly table"); }

// __index of the real globals: reading a global that does not exist is an error.
int MissingGlobal(lua_State* L) {
  const char* name = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : luaL_typename(L, 2);
  lua_pushfstring(L, "Script attempted to access nonexistent global variable '%s'", name);
  return RaiseAtCaller(L, lua_tostring(L, -1));
}

// rawset that refuses protected tables (a plain rawset would bypass __newindex).
int SafeRawset(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  lua_getfield(L, LUA_REGISTRYINDEX, kProtectedKey);
  lua_pushvalue(L, 1);
  lua_rawget(L, -2);
  if (lua_toboolean(L, -1)) {
    // Redis reports this one without a position: its rawset is the C function that fails.
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  lua_pop(L, 2);
  lua_rawset(L, 1);
  return 1;
}

// Redis's error handler: turns any error into {err=, source=, line=}, where source and line
// are the script's (the caller's, when the error was raised by a C function).
constexpr const char* kErrorHandler =
    "local dbg = debug\n"
    "debug = nil\n"
    "return function(err)\n"
    "  local i = dbg.getinfo(2,'nSl')\n"
    "  if i and i.what == 'C' then i = dbg.getinfo(3,'nSl') end\n"
    "  if type(err) ~= 'table' then err = {err='ERR ' .. tostring(err)} end\n"
    "  if i then err['source'] = i.source; err['line'] = i.currentline end\n"
    "  return err\n"
    "end\n";

// Moves every global into a hidden table `real` (returned), wraps the library tables in
// read-only proxies, and makes _G an empty read-only proxy of `real`, whose own __index
// raises for missing names. Arguments: ReadonlyError, MissingGlobal, SafeRawset, the
// protected-tables set.
constexpr const char* kSandbox =
    "local readonly_error, missing_global, safe_rawset, protected = ...\n"
    "local pairs, ipairs, rawset, setmetatable = pairs, ipairs, rawset, setmetatable\n"
    "local G = _G\n"
    "local real = {}\n"
    "for k, v in pairs(G) do real[k] = v end\n"
    "local function ro(t)\n"
    "  local proxy = {}\n"
    "  setmetatable(proxy, {__index = t, __newindex = readonly_error, __metatable = false})\n"
    "  protected[proxy] = true\n"
    "  return proxy\n"
    "end\n"
    "for _, name in ipairs({'string', 'table', 'math', 'redis', 'cjson', 'bit'}) do\n"
    "  if real[name] ~= nil then real[name] = ro(real[name]) end\n"
    "end\n"
    "real.rawset = safe_rawset\n"
    "setmetatable(real, {__index = missing_global, __newindex = readonly_error,\n"
    "                    __metatable = false})\n"
    "for k in pairs(real) do rawset(G, k, nil) end\n"
    "setmetatable(G, {__index = real, __newindex = readonly_error, __metatable = false})\n"
    "protected[G] = true\n"
    "protected[real] = true\n"
    "return real\n";

bool RunChunk(lua_State* L, const char* code, const char* name, int nargs, int nresults) {
  if (luaL_loadbuffer(L, code, std::strlen(code), name) != 0) {
    spdlog::error("Lua setup ({}): {}", name, lua_tostring(L, -1));
    lua_pop(L, 1 + nargs);
    return false;
  }
  if (nargs > 0) lua_insert(L, -(nargs + 1));  // the function below its arguments
  if (lua_pcall(L, nargs, nresults, 0) != 0) {
    spdlog::error("Lua setup ({}): {}", name, lua_tostring(L, -1));
    lua_pop(L, 1);
    return false;
  }
  return true;
}

void OpenLib(lua_State* L, const char* name, lua_CFunction open) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

// redis.error_reply(msg) -> {err = msg}, with "ERR " in front unless msg starts with "-CODE".
int ErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  std::string err = lua_tostring(L, -1);
  if (err.empty() || err[0] != '-') err = "-" + err;
  PushErrorTable(L, err);
  return 1;
}

// redis.status_reply(msg) -> {ok = msg}
int StatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(L);
  lua_pushstring(L, "ok");
  lua_pushvalue(L, 1);
  lua_settable(L, -3);
  return 1;
}

int Sha1HexLua(lua_State* L) {
  if (lua_gettop(L) != 1) return luaL_error(L, "wrong number of arguments");
  size_t n;
  const char* s = lua_tolstring(L, 1, &n);
  const std::string hex =
      LuaEngine::Sha1Hex(s == nullptr ? std::string_view() : std::string_view(s, n));
  lua_pushstring(L, hex.c_str());
  return 1;
}

int ReturnTrue(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

int ReturnFalse(lua_State* L) {
  lua_pushboolean(L, 0);
  return 1;
}

void SetFunction(lua_State* L, const char* name, lua_CFunction fn) {
  lua_pushstring(L, name);
  lua_pushcfunction(L, fn);
  lua_settable(L, -3);
}

void SetNumber(lua_State* L, const char* name, lua_Number v) {
  lua_pushstring(L, name);
  lua_pushnumber(L, v);
  lua_settable(L, -3);
}

}  // namespace

LuaEngine::~LuaEngine() {
  if (L_ != nullptr) lua_close(L_);
}

std::string LuaEngine::Sha1Hex(std::string_view data) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static const char kHex[] = "0123456789abcdef";
  std::string out(2 * SHA_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA_DIGEST_LENGTH; i++) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

LuaEngine* LuaEngine::From(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kEngineKey);
  auto* e = static_cast<LuaEngine*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return e;
}

Status LuaEngine::Open(std::string_view redis_version) {
  L_ = luaL_newstate();
  if (L_ == nullptr) return Status::IOError("cannot create the Lua interpreter");
  lua_pushlightuserdata(L_, this);
  lua_setfield(L_, LUA_REGISTRYINDEX, kEngineKey);
  OpenLib(L_, "", luaopen_base);
  OpenLib(L_, LUA_TABLIBNAME, luaopen_table);
  OpenLib(L_, LUA_STRLIBNAME, luaopen_string);
  OpenLib(L_, LUA_MATHLIBNAME, luaopen_math);
  OpenLib(L_, LUA_DBLIBNAME, luaopen_debug);
  OpenLib(L_, LUA_LOADLIBNAME, luaopen_package);
  // cjson and bit, as Redis embeds them; then nothing that reaches files or modules.
  const char* libs =
      "local ok, m = pcall(require, 'cjson') if ok then cjson = m end\n"
      "ok, m = pcall(require, 'bit') if ok then bit = m end\n"
      "loadfile = nil dofile = nil require = nil module = nil package = nil\n"
      "setfenv = nil getfenv = nil\n"
      "return cjson ~= nil, bit ~= nil\n";
  if (!RunChunk(L_, libs, "=libs", 0, 2)) return Status::IOError("Lua library setup failed");
  if (!lua_toboolean(L_, -2)) spdlog::warn("Lua: cjson is not available (lua-cjson)");
  if (!lua_toboolean(L_, -1)) spdlog::warn("Lua: bit is not available (lua-bitop)");
  lua_pop(L_, 2);

  // The redis table.
  lua_newtable(L_);
  SetFunction(L_, "call", RedisCall);
  SetFunction(L_, "pcall", RedisPCall);
  SetFunction(L_, "log", Log);
  SetFunction(L_, "setresp", SetResp);
  SetFunction(L_, "sha1hex", Sha1HexLua);
  SetFunction(L_, "error_reply", ErrorReply);
  SetFunction(L_, "status_reply", StatusReply);
  SetFunction(L_, "set_repl", ReturnTrue);
  SetFunction(L_, "replicate_commands", ReturnTrue);
  SetFunction(L_, "breakpoint", ReturnFalse);
  SetFunction(L_, "debug", ReturnFalse);
  SetNumber(L_, "LOG_DEBUG", 0);
  SetNumber(L_, "LOG_VERBOSE", 1);
  SetNumber(L_, "LOG_NOTICE", 2);
  SetNumber(L_, "LOG_WARNING", 3);
  SetNumber(L_, "REPL_NONE", 0);
  SetNumber(L_, "REPL_AOF", 1);
  SetNumber(L_, "REPL_SLAVE", 2);
  SetNumber(L_, "REPL_REPLICA", 2);
  SetNumber(L_, "REPL_ALL", 3);
  lua_pushstring(L_, "REDIS_VERSION");
  lua_pushlstring(L_, redis_version.data(), redis_version.size());
  lua_settable(L_, -3);
  int major = 0, minor = 0, patch = 0;
  std::sscanf(std::string(redis_version).c_str(), "%d.%d.%d", &major, &minor, &patch);
  SetNumber(L_, "REDIS_VERSION_NUM", (major << 16) | (minor << 8) | patch);
  lua_setglobal(L_, "redis");

  if (!RunChunk(L_, kErrorHandler, "=err_handler", 0, 1)) {
    return Status::IOError("Lua error handler setup failed");
  }
  handler_ref_ = luaL_ref(L_, LUA_REGISTRYINDEX);

  lua_newtable(L_);  // the protected set, weak-keyed
  lua_newtable(L_);
  lua_pushstring(L_, "k");
  lua_setfield(L_, -2, "__mode");
  lua_setmetatable(L_, -2);
  lua_pushvalue(L_, -1);
  lua_setfield(L_, LUA_REGISTRYINDEX, kProtectedKey);
  lua_pushcfunction(L_, ReadonlyError);
  lua_insert(L_, -2);
  lua_pushcfunction(L_, MissingGlobal);
  lua_insert(L_, -2);
  lua_pushcfunction(L_, SafeRawset);
  lua_insert(L_, -2);
  if (!RunChunk(L_, kSandbox, "=sandbox", 4, 1)) return Status::IOError("Lua sandbox setup failed");
  globals_ref_ = luaL_ref(L_, LUA_REGISTRYINDEX);
  return Status::OK();
}

bool LuaEngine::Load(std::string_view body, std::string* sha, std::string* error) {
  *sha = Sha1Hex(body);
  if (Has(*sha)) return true;
  if (luaL_loadbuffer(L_, body.data(), body.size(), "@user_script") != 0) {
    *error = std::string("Error compiling script (new function): ") + lua_tostring(L_, -1);
    lua_pop(L_, 1);
    return false;
  }
  scripts_[*sha] = luaL_ref(L_, LUA_REGISTRYINDEX);
  return true;
}

void LuaEngine::Flush() {
  for (const auto& [sha, ref] : scripts_) luaL_unref(L_, LUA_REGISTRYINDEX, ref);
  scripts_.clear();
  lua_gc(L_, LUA_GCCOLLECT, 0);
}

void LuaEngine::SetArray(const char* name, const std::vector<std::string_view>& items) {
  lua_rawgeti(L_, LUA_REGISTRYINDEX, globals_ref_);
  lua_pushstring(L_, name);
  lua_createtable(L_, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); i++) {
    lua_pushlstring(L_, items[i].data(), items[i].size());
    lua_rawseti(L_, -2, static_cast<int>(i + 1));
  }
  lua_rawset(L_, -3);
  lua_pop(L_, 1);
}

void LuaEngine::Run(std::string_view sha, const std::vector<std::string_view>& keys,
                    const std::vector<std::string_view>& args, Caller* caller, resp::Writer& w) {
  const int top = lua_gettop(L_);
  SetArray("KEYS", keys);
  SetArray("ARGV", args);
  lua_rawgeti(L_, LUA_REGISTRYINDEX, handler_ref_);
  lua_rawgeti(L_, LUA_REGISTRYINDEX, scripts_.at(std::string(sha)));
  caller_ = caller;
  script_resp_ = 2;
  const int err = lua_pcall(L_, 0, 1, -2);
  caller_ = nullptr;
  if (err == 0) {
    WriteValue(L_, w, script_resp_);
  } else if (!lua_istable(L_, -1)) {
    const char* msg = lua_isstring(L_, -1) ? lua_tostring(L_, -1) : "execution failure";
    w.Error("ERR Error running script " + std::string(sha) + ", " +
            std::string(msg).substr(0, 100));
  } else {
    const int t = lua_gettop(L_);
    std::string msg = "ERR unknown error";
    lua_getfield(L_, t, "err");
    if (lua_isstring(L_, -1)) msg = lua_tostring(L_, -1);
    lua_getfield(L_, t, "source");
    lua_getfield(L_, t, "line");
    if (lua_isstring(L_, -2) && lua_isnumber(L_, -1)) {
      msg += " script: " + std::string(sha) + ", on " + lua_tostring(L_, -2) + ":" +
             std::to_string(static_cast<long long>(lua_tonumber(L_, -1))) + ".";
    }
    w.Error(msg);
  }
  lua_settop(L_, top);
  // A step of garbage collection now and then, as Redis does, instead of full cycles.
  if (++runs_ % 50 == 0) lua_gc(L_, LUA_GCSTEP, 50);
}

int LuaEngine::CallGeneric(lua_State* L, bool raise) {
  LuaEngine* e = From(L);
  bool raise_now = false;
  {
    // Everything with a destructor lives in this scope: lua_error below does not return.
    const int argc = lua_gettop(L);
    std::vector<std::string> args;
    std::string error;
    if (argc == 0) error = "Please specify at least one argument for this redis lib call";
    for (int i = 1; i <= argc && error.empty(); i++) {
      if (lua_type(L, i) == LUA_TNUMBER) {
        // Not lua_tolstring: Lua's own number format loses precision.
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(lua_tonumber(L, i)));
        args.emplace_back(buf);
      } else if (lua_type(L, i) == LUA_TSTRING) {
        size_t n;
        const char* s = lua_tolstring(L, i, &n);
        args.emplace_back(s, n);
      } else {
        error = "Lua redis lib command arguments must be strings or integers";
      }
    }
    lua_pop(L, argc);
    if (error.empty() && e->caller_ == nullptr) {
      error = "redis.call/pcall can only be called inside a script invocation";
    }
    if (!error.empty()) {
      PushErrorTable(L, error);
      raise_now = raise;
    } else {
      std::vector<std::string_view> argv(args.begin(), args.end());
      std::string reply;
      if (!e->caller_->Call(argv, e->script_resp_, &reply, &error)) {
        PushErrorTable(L, error);
        raise_now = raise;
      } else if (!PushReply(L, reply)) {
        PushErrorTable(L, "malformed reply from a command");
        raise_now = raise;
      } else {
        raise_now = raise && !reply.empty() && reply[0] == '-';
      }
    }
  }
  if (raise_now) return lua_error(L);
  return 1;
}

int LuaEngine::RedisCall(lua_State* L) { return CallGeneric(L, true); }
int LuaEngine::RedisPCall(lua_State* L) { return CallGeneric(L, false); }

int LuaEngine::SetResp(lua_State* L) {
  LuaEngine* e = From(L);
  if (lua_gettop(L) != 1) return luaL_error(L, "redis.setresp() requires one argument.");
  const int v = static_cast<int>(lua_tonumber(L, 1));
  if (v != 2 && v != 3) return luaL_error(L, "RESP version must be 2 or 3.");
  e->script_resp_ = v;
  return 0;
}

int LuaEngine::Log(lua_State* L) {
  const int argc = lua_gettop(L);
  if (argc < 2) return luaL_error(L, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, 1)) return luaL_error(L, "First argument must be a number (log level).");
  const int level = static_cast<int>(lua_tonumber(L, 1));
  if (level < 0 || level > 3) return luaL_error(L, "Invalid debug level.");
  std::string msg;
  for (int i = 2; i <= argc; i++) {
    size_t n;
    const char* s = lua_tolstring(L, i, &n);
    if (s == nullptr) continue;
    if (!msg.empty()) msg += ' ';
    msg.append(s, n);
  }
  switch (level) {
    case 0:
      spdlog::debug("{}", msg);
      break;
    case 1:
    case 2:
      spdlog::info("{}", msg);
      break;
    default:
      spdlog::warn("{}", msg);
  }
  return 0;
}

}  // namespace strata::script
