// COMMAND DOCS for every command: group, the Redis version that introduced it, and a
// one-line summary. A command registered without an entry here fails the registration
// check at start-up (CommandTable::AddAll), so every command has its docs.
#include "commands/docs.h"

#include <algorithm>
#include <iterator>

namespace strata::commands {
namespace {

// Sorted by name.
constexpr CommandDoc kDocs[] = {
    {"append", "string", "2.0.0",
     "Appends a string to the value of a key. Creates the key if it doesn't exist."},
    {"auth", "connection", "1.0.0", "Authenticates the connection."},
    {"bgsave", "server", "1.0.0", "Asynchronously saves the database(s) to disk."},
    {"client", "connection", "2.4.0", "A container for client connection commands."},
    {"command", "server", "2.8.13", "Returns detailed information about all commands."},
    {"compact", "server", "7.2.4",
     "Compacts every level of the store down to the bottom (Strata)."},
    {"config", "server", "2.0.0", "A container for server configuration commands."},
    {"copy", "generic", "6.2.0", "Copies the value of a key to a new key."},
    {"dbsize", "server", "1.0.0", "Returns the number of keys in the database."},
    {"debug", "server", "1.0.0", "A container for debugging commands."},
    {"decr", "string", "1.0.0",
     "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't "
     "exist."},
    {"decrby", "string", "1.0.0",
     "Decrements a number from the integer value of a key. Uses 0 as initial value if the key "
     "doesn't exist."},
    {"del", "generic", "1.0.0", "Deletes one or more keys."},
    {"echo", "connection", "1.0.0", "Returns the given string."},
    {"exists", "generic", "1.0.0", "Determines whether one or more keys exist."},
    {"expire", "generic", "1.0.0", "Sets the expiration time of a key in seconds."},
    {"expireat", "generic", "1.2.0", "Sets the expiration time of a key to a Unix timestamp."},
    {"expiretime", "generic", "7.0.0", "Returns the expiration time of a key as a Unix timestamp."},
    {"flushall", "server", "1.0.0", "Removes all keys from all databases."},
    {"flushdb", "server", "1.0.0", "Remove all keys from the current database."},
    {"function", "scripting", "7.0.0", "A container for function commands."},
    {"get", "string", "1.0.0", "Returns the string value of a key."},
    {"getdel", "string", "6.2.0", "Returns the string value of a key after deleting the key."},
    {"getex", "string", "6.2.0",
     "Returns the string value of a key after setting its expiration time."},
    {"getrange", "string", "2.4.0", "Returns a substring of the string stored at a key."},
    {"getset", "string", "1.0.0",
     "Returns the previous string value of a key after setting it to a new value."},
    {"hdel", "hash", "2.0.0", "Delete one or more hash fields"},
    {"hello", "connection", "6.0.0", "Handshakes with the Redis server."},
    {"hexists", "hash", "2.0.0", "Determine if a hash field exists"},
    {"hget", "hash", "2.0.0", "Get the value of a hash field"},
    {"hgetall", "hash", "2.0.0", "Get all the fields and values in a hash"},
    {"hincrby", "hash", "2.0.0", "Increment the integer value of a hash field by the given number"},
    {"hincrbyfloat", "hash", "2.6.0",
     "Increment the float value of a hash field by the given amount"},
    {"hkeys", "hash", "2.0.0", "Get all the fields in a hash"},
    {"hlen", "hash", "2.0.0", "Get the number of fields in a hash"},
    {"hmget", "hash", "2.0.0", "Get the values of all the given hash fields"},
    {"hmset", "hash", "2.0.0", "Set multiple hash fields to multiple values"},
    {"hrandfield", "hash", "6.2.0", "Get one or multiple random fields from a hash"},
    {"hscan", "hash", "2.8.0", "Incrementally iterate hash fields and associated values"},
    {"hset", "hash", "2.0.0", "Set the string value of a hash field"},
    {"hsetnx", "hash", "2.0.0", "Set the value of a hash field, only if the field does not exist"},
    {"hstrlen", "hash", "3.2.0", "Get the length of the value of a hash field"},
    {"hvals", "hash", "2.0.0", "Get all the values in a hash"},
    {"incr", "string", "1.0.0",
     "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't "
     "exist."},
    {"incrby", "string", "1.0.0",
     "Increments the integer value of a key by a number. Uses 0 as initial value if the key "
     "doesn't exist."},
    {"incrbyfloat", "string", "2.6.0",
     "Increment the floating point value of a key by a number. Uses 0 as initial value if the key "
     "doesn't exist."},
    {"info", "server", "1.0.0", "Returns information and statistics about the server."},
    {"keys", "generic", "1.0.0", "Returns all key names that match a pattern."},
    {"lastsave", "server", "1.0.0",
     "Returns the Unix timestamp of the last successful save to disk."},
    {"mget", "string", "1.0.0", "Atomically returns the string values of one or more keys."},
    {"monitor", "server", "1.0.0", "Listens for all requests received by the server in real-time."},
    {"move", "generic", "1.0.0", "Moves a key to another database."},
    {"mset", "string", "1.0.1",
     "Atomically creates or modifies the string values of one or more keys."},
    {"msetnx", "string", "1.0.1",
     "Atomically modifies the string values of one or more keys only when all keys don't exist."},
    {"persist", "generic", "2.2.0", "Removes the expiration time of a key."},
    {"pexpire", "generic", "2.6.0", "Sets the expiration time of a key in milliseconds."},
    {"pexpireat", "generic", "2.6.0",
     "Sets the expiration time of a key to a Unix milliseconds timestamp."},
    {"pexpiretime", "generic", "7.0.0",
     "Returns the expiration time of a key as a Unix milliseconds timestamp."},
    {"ping", "connection", "1.0.0", "Returns the server's liveliness response."},
    {"psetex", "string", "2.6.0",
     "Sets both string value and expiration time in milliseconds of a key. The key is created if "
     "it doesn't exist."},
    {"pttl", "generic", "2.6.0", "Returns the expiration time in milliseconds of a key."},
    {"quit", "connection", "1.0.0", "Closes the connection."},
    {"randomkey", "generic", "1.0.0", "Returns a random key name from the database."},
    {"readonly", "cluster", "3.0.0",
     "Enables read-only queries for a connection to a Redis Cluster replica node."},
    {"rename", "generic", "1.0.0", "Renames a key and overwrites the destination."},
    {"renamenx", "generic", "1.0.0", "Renames a key only when the target key name doesn't exist."},
    {"reset", "connection", "6.2.0", "Resets the connection."},
    {"sadd", "set", "1.0.0", "Add one or more members to a set"},
    {"save", "server", "1.0.0", "Synchronously saves the database(s) to disk."},
    {"scan", "generic", "2.8.0", "Iterates over the key names in the database."},
    {"scard", "set", "1.0.0", "Get the number of members in a set"},
    {"sdiff", "set", "1.0.0", "Subtract multiple sets"},
    {"sdiffstore", "set", "1.0.0", "Subtract multiple sets and store the resulting set in a key"},
    {"select", "connection", "1.0.0", "Changes the selected database."},
    {"set", "string", "1.0.0",
     "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."},
    {"setex", "string", "2.0.0",
     "Sets the string value and expiration time of a key. Creates the key if it doesn't exist."},
    {"setnx", "string", "1.0.0", "Set the string value of a key only when the key doesn't exist."},
    {"setrange", "string", "2.2.0",
     "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't "
     "exist."},
    {"shutdown", "server", "1.0.0",
     "Synchronously saves the database(s) to disk and shuts down the Redis server."},
    {"sinter", "set", "1.0.0", "Intersect multiple sets"},
    {"sintercard", "set", "7.0.0",
     "Intersect multiple sets and return the cardinality of the result"},
    {"sinterstore", "set", "1.0.0", "Intersect multiple sets and store the resulting set in a key"},
    {"sismember", "set", "1.0.0", "Determine if a given value is a member of a set"},
    {"slowlog", "server", "2.2.12", "A container for slow log commands."},
    {"smembers", "set", "1.0.0", "Get all the members in a set"},
    {"smismember", "set", "6.2.0",
     "Returns the membership associated with the given elements for a set"},
    {"smove", "set", "1.0.0", "Move a member from one set to another"},
    {"spop", "set", "1.0.0", "Remove and return one or multiple random members from a set"},
    {"srandmember", "set", "1.0.0", "Get one or multiple random members from a set"},
    {"srem", "set", "1.0.0", "Remove one or more members from a set"},
    {"sscan", "set", "2.8.0", "Incrementally iterate Set elements"},
    {"strlen", "string", "2.2.0", "Returns the length of a string value."},
    {"substr", "string", "1.0.0", "Returns a substring from a string value."},
    {"sunion", "set", "1.0.0", "Add multiple sets"},
    {"sunionstore", "set", "1.0.0", "Add multiple sets and store the resulting set in a key"},
    {"swapdb", "server", "4.0.0", "Swaps two Redis databases."},
    {"time", "server", "2.6.0", "Returns the server time."},
    {"touch", "generic", "3.2.1",
     "Returns the number of existing keys out of those specified after updating the time they were "
     "last accessed."},
    {"ttl", "generic", "1.0.0", "Returns the expiration time in seconds of a key."},
    {"type", "generic", "1.0.0", "Determines the type of value stored at a key."},
    {"unlink", "generic", "4.0.0", "Asynchronously deletes one or more keys."},
};

}  // namespace

const CommandDoc* FindDoc(std::string_view name) {
  auto it = std::lower_bound(std::begin(kDocs), std::end(kDocs), name,
                             [](const CommandDoc& d, std::string_view n) { return d.name < n; });
  return it != std::end(kDocs) && it->name == name ? it : nullptr;
}

}  // namespace strata::commands
