#include "drivers/netfilter/nftables.h"

#include <nftables/libnftables.h>

#include <memory>
#include <stdexcept>

namespace hublab {

namespace {

void run(const std::string& commands, bool dry_run) {
  std::unique_ptr<nft_ctx, void (*)(nft_ctx*)> ctx(nft_ctx_new(NFT_CTX_DEFAULT), nft_ctx_free);
  if (!ctx) throw std::runtime_error("nftables: cannot make a context");
  nft_ctx_buffer_output(ctx.get());
  nft_ctx_buffer_error(ctx.get());
  nft_ctx_set_dry_run(ctx.get(), dry_run);
  if (nft_run_cmd_from_buffer(ctx.get(), commands.c_str()) != 0) {
    std::string error = nft_ctx_get_error_buffer(ctx.get());
    while (!error.empty() && error.back() == '\n') error.pop_back();
    throw std::runtime_error("nftables: " + error);
  }
}

}  // namespace

void run_nftables(const std::string& commands) {
  run(commands, false);
}
void check_nftables(const std::string& commands) {
  run(commands, true);
}

}  // namespace hublab
