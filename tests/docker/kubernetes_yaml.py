#!/usr/bin/env python3
"""docker/kubernetes/deployment.yaml, checked without a cluster: it parses, is an
apps/v1 Deployment whose initContainer copies libcgview.so and the cgview
command into an emptyDir,
and whose app containers mount that volume read-only, preload the library from
it and have CPU and memory limits."""
import sys

import yaml

failures = 0


def check(name, ok, detail=""):
    global failures
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, "" if ok else ": " + str(detail)), flush=True)
    failures += 0 if ok else 1


def main(path):
    docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    check("one document", len(docs) == 1, len(docs))
    d = docs[0]
    check("apiVersion apps/v1, kind Deployment", d.get("apiVersion") == "apps/v1" and d.get("kind") == "Deployment",
          (d.get("apiVersion"), d.get("kind")))
    spec = d.get("spec", {})
    labels = spec.get("template", {}).get("metadata", {}).get("labels", {})
    selector = spec.get("selector", {}).get("matchLabels", {})
    check("the selector matches the pod's labels", selector and all(labels.get(k) == v for k, v in selector.items()),
          (selector, labels))
    pod = spec.get("template", {}).get("spec", {})
    empty_dirs = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
    check("an emptyDir volume", len(empty_dirs) == 1, pod.get("volumes"))

    inits = pod.get("initContainers", [])
    check("one initContainer", len(inits) == 1, inits)
    copied_to = None
    for c in inits:
        # An untagged image is :latest, which Kubernetes pulls at every start: one
        # loaded into the node alone would not be found.
        image = c.get("image", "")
        check("initContainer's image has a tag", ":" in image.rsplit("/", 1)[-1], image)
        mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
        shared = [n for n in mounts if n in empty_dirs]
        check("initContainer mounts the emptyDir writable", shared and not mounts[shared[0]].get("readOnly"), mounts)
        command = " ".join(c.get("command", []) + c.get("args", []))
        if shared:
            folder = mounts[shared[0]]["mountPath"].rstrip("/")
            words = c.get("command", []) + c.get("args", [])
            into_folder = words[-1].rstrip("/") == folder or words[-1] == folder + "/libcgview.so"
            check("initContainer copies /usr/lib/libcgview.so into it",
                  "/usr/lib/libcgview.so" in words and into_folder, command)
            check("initContainer copies the cgview command beside it", "/usr/bin/cgview" in words, command)
            copied_to = folder + "/libcgview.so"

    apps = pod.get("containers", [])
    check("at least one app container", len(apps) >= 1, apps)
    for c in apps:
        name = c.get("name")
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
        shared = [n for n in mounts if n in empty_dirs]
        check("%s mounts the emptyDir read-only" % name, shared and mounts[shared[0]].get("readOnly") is True, mounts)
        if shared:
            expected = mounts[shared[0]]["mountPath"].rstrip("/") + "/libcgview.so"
            check("%s sets LD_PRELOAD to the copied library" % name,
                  env.get("LD_PRELOAD") == expected == copied_to, (env.get("LD_PRELOAD"), copied_to))
        limits = c.get("resources", {}).get("limits", {})
        check("%s has resources.limits cpu and memory" % name, "cpu" in limits and "memory" in limits, limits)
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
