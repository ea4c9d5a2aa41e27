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
    {"blmove", "list", "6.2.0",
     "Pop an element from a list, push it to another list and return it; or block until one is "
     "available."},
    {"blmpop", "list", "7.0.0", "Pop elements from a list, or block until one is available."},
    {"blpop", "list", "2.0.0",
     "Remove and get the first element in a list, or block until one is available."},
    {"brpop", "list", "2.0.0",
     "Remove and get the last element in a list, or block until one is available."},
    {"brpoplpush", "list", "2.2.0",
     "Pop an element from a list, push it to another list and return it; or block until one is "
     "available."},
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
    {"lindex", "list", "1.0.0", "Get an element from a list by its index."},
    {"linsert", "list", "2.2.0", "Insert an element before or after another element in a list."},
    {"llen", "list", "1.0.0", "Get the length of a list."},
    {"lmove", "list", "6.2.0",
     "Pop an element from a list, push it to another list and return it."},
    {"lmpop", "list", "7.0.0", "Pop elements from a list."},
    {"lpop", "list", "1.0.0", "Remove and get the first elements in a list."},
    {"lpos", "list", "6.0.6", "Return the index of matching elements on a list."},
    {"lpush", "list", "1.0.0", "Prepend one or multiple elements to a list."},
    {"lpushx", "list", "2.2.0", "Prepend an element to a list, only if the list exists."},
    {"lrange", "list", "1.0.0", "Get a range of elements from a list."},
    {"lrem", "list", "1.0.0", "Remove elements from a list."},
    {"lset", "list", "1.0.0", "Set the value of an element in a list by its index."},
    {"ltrim", "list", "1.0.0", "Trim a list to the specified range."},
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
    {"rpop", "list", "1.0.0", "Remove and get the last elements in a list."},
    {"rpoplpush", "list", "1.2.0",
     "Remove the last element in a list, prepend it to another list and return it."},
    {"rpush", "list", "1.0.0", "Append one or multiple elements to a list."},
    {"rpushx", "list", "2.2.0", "Append an element to a list, only if the list exists."},
    {"save", "server", "1.0.0", "Synchronously saves the database(s) to disk."},
    {"scan", "generic", "2.8.0", "Iterates over the key names in the database."},
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
    {"slowlog", "server", "2.2.12", "A container for slow log commands."},
    {"strlen", "string", "2.2.0", "Returns the length of a string value."},
    {"substr", "string", "1.0.0", "Returns a substring from a string value."},
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
