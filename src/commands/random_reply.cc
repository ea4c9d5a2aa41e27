#include "commands/random_reply.h"

#include "server/server.h"

namespace strata::commands {

std::mt19937_64& CommandRng() {
  static std::mt19937_64 rng(std::random_device{}());
  return rng;
}

bool ReplyOverLimit(server::CommandContext& ctx) {
  constexpr size_t kNoLimitCap = size_t{1} << 30;
  const int64_t limit = ctx.server.config().client_output_buffer_limit;
  const size_t size = ctx.reply.buffer()->size();
  if (limit > 0) return size > static_cast<size_t>(limit);  // the server closes it after
  if (size <= kNoLimitCap) return false;
  ctx.server.KillClient(&ctx.client, false);
  return true;
}

}  // namespace strata::commands
