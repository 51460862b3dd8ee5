"""Shared pieces of the lab components: child options and tags."""

from __future__ import annotations

import pulumi


class LabComponent(pulumi.ComponentResource):
    """A ComponentResource whose children are parented to it.

    `type_name` is `lakelab:<cloud>:<Concern>`; children call `self.child()` for their options.
    """

    def __init__(
        self,
        type_name: str,
        name: str,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(type_name, name, None, opts)
        self.tags = tags

    def child(
        self,
        parent: pulumi.Resource | None = None,
        depends_on: list[pulumi.Resource] | None = None,
        ignore_changes: list[str] | None = None,
        custom_timeouts: pulumi.CustomTimeouts | None = None,
    ) -> pulumi.ResourceOptions:
        """Options for a child: parented to this component, or to `parent` below it."""
        return pulumi.ResourceOptions(
            parent=parent or self,
            depends_on=depends_on,
            ignore_changes=ignore_changes,
            custom_timeouts=custom_timeouts,
        )
