// Conversions between RESP replies and Lua values, with Redis's rules (script_lua.c):
//
//   RESP -> Lua (what redis.call returns)       Lua -> RESP (what a script returns)
//   integer          -> number                  number  -> integer (truncated)
//   bulk             -> string                  string  -> bulk
//   null bulk/array  -> false                   false   -> null (RESP2 script) / #f (RESP3)
//   array            -> array table             true    -> :1 (RESP2 script) / #t (RESP3)
//   status           -> {ok = s}                array   -> array, up to the first nil
//   error            -> {err = "CODE msg"}      {ok=s}  -> status; {err=s} -> error
//   RESP3 null       -> nil                     {double=n}, {map=t}, {set=t},
//   RESP3 map/set    -> {map = t}/{set = t}     {big_number=s}, {verbatim_string=...}
//   RESP3 double     -> {double = n}            -> the RESP3 types (degraded in RESP2)
//   RESP3 bool       -> boolean                 anything else -> null
//   RESP3 big number -> {big_number = s}
// "script RESP" is the protocol the script chose with redis.setresp (2 by default): it
// decides how booleans are returned, as in Redis.
#pragma once

#include <string>
#include <string_view>

extern "C" {
#include <lua.h>
}

#include "resp/writer.h"

namespace strata::script {

// Pushes the RESP reply that starts `data` (one complete reply, as a command writes it).
// Returns false, pushing nothing, if it is malformed.
bool PushReply(lua_State* L, std::string_view data);

// Pops the value on top of the stack and writes it to w as a reply.
void WriteValue(lua_State* L, resp::Writer& w, int script_resp);

// Pushes {err = "CODE msg"} for an error text: "-CODE msg" keeps its code, anything else
// gets "ERR " in front (Redis's luaPushErrorBuff); a trailing CR/LF is dropped.
void PushErrorTable(lua_State* L, std::string_view error);

}  // namespace strata::script
