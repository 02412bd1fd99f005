#include "drivers/graphviz/render.h"

#include <graphviz/gvc.h>

#include <memory>
#include <stdexcept>

namespace hublab {

std::string render_dot(const std::string& dot, const std::string& format) {
  std::unique_ptr<GVC_t, int (*)(GVC_t*)> context(gvContext(), gvFreeContext);
  if (!context) throw std::runtime_error("graphviz: no context");
  Agraph_t* graph = agmemread(dot.c_str());
  if (!graph) throw std::runtime_error("graphviz: the DOT text does not parse");
  std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> owned(graph, agclose);
  if (gvLayout(context.get(), graph, "dot") != 0)
    throw std::runtime_error("graphviz: layout failed");
  char* data = nullptr;
  unsigned int length = 0;
  int rendered = gvRenderData(context.get(), graph, format.c_str(), &data, &length);
  std::string out = rendered == 0 && data ? std::string(data, length) : std::string();
  if (data) gvFreeRenderData(data);
  gvFreeLayout(context.get(), graph);
  if (rendered != 0) throw std::runtime_error("graphviz: cannot render " + format);
  return out;
}

}  // namespace hublab
