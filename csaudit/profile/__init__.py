"""Profiles: YAML files of standards (``loader``), and the objects they load into (``model``)."""

from csaudit.profile.model import Profile, Standard, Statistic, Status, Target

__all__ = ["Profile", "Standard", "Statistic", "Status", "Target"]
