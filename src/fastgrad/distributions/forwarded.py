"""forwarded: a read-only property that reads an attribute of one of the instance's parts."""
import operator


def forwarded(path):
    """A read-only property whose value is the instance's attribute at the dotted `path`:
    `mean = forwarded("base_dist.mean")` reads self.base_dist.mean."""
    return property(operator.attrgetter(path), doc=f"self.{path}")
