// LuaEngine: the Lua 5.1 interpreter behind EVAL, with Redis's sandbox and `redis` API
// (Redis 7.0's eval.c and script_lua.c). One per server, loop thread only.
//
// The sandbox: the base, table, string and math libraries, plus cjson and bit (Debian's
// lua-cjson and lua-bitop, loaded at start-up if present); no os, io, loadfile, dofile,
// require or package. Every global read of a name that does not exist raises "Script
// attempted to access nonexistent global variable"; every write to the global table or to a
// library table raises "Attempt to modify a readonly table", so no script can leave state
// behind for the next one. KEYS and ARGV are set for each run.
//
// Scripts are cached by the SHA1 of their body (EVAL adds to the cache, SCRIPT LOAD too,
// SCRIPT FLUSH empties it). A script runs to completion: there is no time limit yet.
//
// Errors: a Lua error, or a failed redis.call, ends the script with the error reply Redis
// gives: "<CODE msg> script: <sha>, on @user_script:<line>.".
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "resp/writer.h"
#include "util/status.h"

struct lua_State;

namespace strata::script {

// Runs the commands a script calls (redis.call / redis.pcall).
class Caller {
 public:
  virtual ~Caller() = default;
  // Runs argv, appending its reply in protocol `proto` to *reply; true. If the command may
  // not run from this script (unknown, arity, not allowed), returns false with *error a
  // Redis error text ("Unknown Redis command called from script", ...).
  virtual bool Call(const std::vector<std::string_view>& argv, int proto, std::string* reply,
                    std::string* error) = 0;
};

class LuaEngine {
 public:
  LuaEngine() = default;
  ~LuaEngine();
  LuaEngine(const LuaEngine&) = delete;
  LuaEngine& operator=(const LuaEngine&) = delete;

  // Creates the interpreter and its sandbox. redis_version: what redis.REDIS_VERSION says.
  Status Open(std::string_view redis_version);

  // 40 lowercase hex digits.
  static std::string Sha1Hex(std::string_view data);

  // Compiles body and caches it under its SHA1 (*sha). On a syntax error, false with
  // *error = "Error compiling script (new function): user_script:<line>: ...".
  bool Load(std::string_view body, std::string* sha, std::string* error);
  bool Has(std::string_view sha) const { return scripts_.count(std::string(sha)) != 0; }
  void Flush();

  // Runs the cached script `sha` (REQUIRES: Has(sha)) and writes its reply or error to w.
  void Run(std::string_view sha, const std::vector<std::string_view>& keys,
           const std::vector<std::string_view>& args, Caller* caller, resp::Writer& w);

 private:
  static int RedisCall(lua_State* L);
  static int RedisPCall(lua_State* L);
  static int CallGeneric(lua_State* L, bool raise);
  static int SetResp(lua_State* L);
  static int Log(lua_State* L);
  static LuaEngine* From(lua_State* L);
  void SetArray(const char* name, const std::vector<std::string_view>& items);

  lua_State* L_ = nullptr;
  int globals_ref_ = -2;  // the real globals table, behind the read-only _G
  int handler_ref_ = -2;  // the error handler (Redis's __redis__err__handler)
  std::unordered_map<std::string, int> scripts_;  // sha -> registry ref of the function
  Caller* caller_ = nullptr;                      // set while a script runs
  int script_resp_ = 2;                           // redis.setresp of the running script
  int runs_ = 0;
};

}  // namespace strata::script
