// Marks a function as one of the interposed symbols libcgview.so exports.
// Everything else is hidden (docs/design.md rule 2).
#pragma once

#define CGVIEW_EXPORT extern "C" __attribute__((visibility("default")))
