"""The AssistancePlan aggregate: one person's targeted assistance plan (精准帮扶项目).

The plan follows the case-management cycle [民政部 MZ/T 094-2017]: intake, assessment and
design, adoption through a matter of 一征三议两公开, intervention in the stages of its template
(in order; each ends with a review by two members of the case team that passes it, extends it
or records a setback to an earlier stage), a final evaluation that graduates or closes it.
It can be suspended and resumed; withdrawing consent stops it for good. Every command returns
the new plan and the events that record the change; the plan it is called on never changes.
The events are the case file; how each one changes the plan is in
:mod:`communitygov.assistance.fold`, and the rules the commands check are in
:mod:`~communitygov.assistance.adoption`, :mod:`~communitygov.assistance.reviews` and
:mod:`~communitygov.assistance.team`.

The beneficiary's name is never kept in the plan: it is in the community's register, and the
plan shows the person under a de-identified alias (周某). Notices about the plan are rendered
through a :class:`~communitygov.publicity.privacy.Disclosure` (:meth:`AssistancePlan.notices`;
the layout is in :mod:`communitygov.assistance.notices`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

import attrs

from communitygov.assistance.adoption import check_adopting_matter
from communitygov.assistance.consent import check_consent
from communitygov.assistance.events import (
    ActivityLogged,
    CaseOpened,
    ConsentWithdrawn,
    MentorAssigned,
    ObservationRecorded,
    PlanAdopted,
    PlanAssessed,
    PlanClosed,
    PlanGraduated,
    PlanNoticePosted,
    PlanResumed,
    PlanSuspended,
    PublishConsentGiven,
    PublishConsentWithdrawn,
    SensitiveDetailRecorded,
    StageReviewed,
    TeamMemberJoined,
    TeamMemberLeft,
)
from communitygov.assistance.fold import changes, started
from communitygov.assistance.notices import plan_notices, plan_title
from communitygov.assistance.records import (
    Activity,
    Consent,
    PlanNoticeKind,
    ReviewOutcome,
    SensitiveDetail,
    StagePlan,
    Suspension,
    TeamMember,
)
from communitygov.assistance.reviews import (
    LATEST_REVIEW_DAY,
    check_due,
    check_review_date,
    check_reviewers,
    check_setback,
    check_stage,
)
from communitygov.assistance.team import check_joining, check_leaving, check_team
from communitygov.assistance.template import (
    RESUME,
    SETBACK,
    PlanState,
    PlanTemplate,
    check_goals,
)
from communitygov.errors import (
    ActivityBeforeAdoption,
    ActivityDuringSuspension,
    ActivityInFuture,
    ConsentAlreadyWithdrawn,
    DuplicateId,
    EmptyField,
    GoalsUnmet,
    InvalidConsent,
    InvalidCount,
    NoPublishConsent,
    NotApplicable,
    ReviewDateTooLate,
    SamePerson,
    StagesMismatch,
    TransitionNotAllowed,
    UnknownReference,
    WrongCommunity,
)
from communitygov.kernel.aggregate import Aggregate, Decision, Description, require_id
from communitygov.kernel.checks import (
    require_date,
    require_instance,
    require_items,
    require_text,
    require_text_list,
    shows_something,
)
from communitygov.kernel.events import Event
from communitygov.kernel.money import require_fen
from communitygov.kernel.timekeeping import local_date, require_kept, zone
from communitygov.matters.matter import Matter
from communitygov.organisation.community import Community
from communitygov.publicity.notices import Notice
from communitygov.publicity.privacy import Disclosure, deidentify

__all__ = ["AssistancePlan"]


def _count(value: int, field: str) -> int:
    if type(value) is not int or value < 0:
        raise InvalidCount(field, value)
    return value


@attrs.frozen(kw_only=True)
class AssistancePlan(Aggregate):
    """A targeted assistance plan (精准帮扶项目) and everything that has happened to it.

    Read its ``state`` (a stage key while a stage runs), :meth:`allowed_actions`,
    :meth:`unmet_goals` and :meth:`notices`. Change it only through its commands; each returns
    the new plan and the events that record the change, and :meth:`replay` folds those events
    back into the same plan.

    What never changes after intake (community, beneficiary, alias, referral, consent to the
    plan, sensitive details) is read from the ``CaseOpened`` event it keeps.

    Every command raises :class:`~communitygov.WrongType` for an argument of another type
    than its annotation's (a text where a :class:`TeamRole` belongs, ``None`` for a text, a
    datetime for a day), besides the errors each lists.
    """

    created_by = (CaseOpened,)
    kind = "assistance_plan"
    id_field = "plan_id"

    opened: CaseOpened = attrs.field(repr=False)
    """The intake event."""
    template: PlanTemplate = attrs.field(repr=False)
    state: str
    team: tuple[TeamMember, ...]
    publish_consent: Consent | None = None
    """Separate consent to publish the beneficiary's name, while it is on record."""
    publish_consent_withdrawn: PublishConsentWithdrawn | None = None
    """The latest withdrawal of consent to publish, if there has been one: a consent recorded
    after it must be dated after its day."""
    needs: tuple[str, ...] = ()
    stages: tuple[StagePlan, ...] = ()
    """The design of every stage, with review dates as extensions and suspensions left them."""
    designed_at: datetime | None = None
    """When the design was last set in substance by :meth:`assess` (its needs, or a stage's
    goals or activities; moving review dates alone keeps it): the adopting matter must have
    decided on it."""
    adoption: PlanAdopted | None = None
    mentors: tuple[MentorAssigned, ...] = ()
    activities: tuple[ActivityLogged, ...] = ()
    observations: tuple[ObservationRecorded, ...] = ()
    reviews: tuple[StageReviewed, ...] = ()
    stage_entered_at: datetime | None = None
    """When the plan entered its current stage (or the final evaluation)."""
    suspensions: tuple[Suspension, ...] = ()
    consent_withdrawal: ConsentWithdrawn | None = None
    graduation: PlanGraduated | None = None
    closure: PlanClosed | None = None
    posted: tuple[PlanNoticePosted, ...] = ()
    sensitive_recorded: tuple[SensitiveDetail, ...] = attrs.field(default=(), repr=False)
    """The sensitive details recorded after intake (:attr:`sensitive` holds them all)."""

    # --- what the intake recorded ----------------------------------------------------------

    @property
    def community_id(self) -> str:
        """The id of the community the plan belongs to."""
        return self.opened.community_id

    @property
    def timezone(self) -> str:
        """The community's timezone at intake; review dates and activity days are its days."""
        return self.opened.timezone

    @property
    def beneficiary_id(self) -> str:
        """The person the plan is for."""
        return self.opened.beneficiary_id

    @property
    def alias(self) -> str:
        """The beneficiary's de-identified name (周某), under which the plan is shown."""
        return self.opened.alias

    @property
    def title(self) -> str:
        """The plan's de-identified title ("周某的精准帮扶项目"); summaries show it."""
        return plan_title(self.alias)

    @property
    def referred_by(self) -> str:
        """Who referred the beneficiary."""
        return self.opened.referred_by

    @property
    def consent(self) -> Consent:
        """The consent to the plan given at intake."""
        return self.opened.consent

    @property
    def sensitive(self) -> tuple[SensitiveDetail, ...]:
        """The beneficiary's health and disability details, those of the intake and those
        recorded since (:meth:`record_sensitive`); never shown in a notice."""
        return (*self.opened.sensitive, *self.sensitive_recorded)

    # --- queries ---------------------------------------------------------------------------

    @property
    def current_stage(self) -> str | None:
        """The stage the plan is in (or, while suspended, will resume in); ``None`` outside
        the stages."""
        if self.template.is_stage(self.state):
            return self.state
        if self.state == PlanState.SUSPENDED:
            return self.suspensions[-1].resume_to
        return None

    @property
    def review_due_on(self) -> date | None:
        """The day the current stage's review is due; ``None`` unless a stage is running."""
        if not self.template.is_stage(self.state):
            return None
        return self._stage_plan(self.state).review_on

    @property
    def adopted_on(self) -> date | None:
        """The day the plan took effect, once adopted."""
        return None if self.adoption is None else local_date(self.adoption.at, self.timezone)

    @property
    def mentor(self) -> str | None:
        """The current mentor (临时妈妈), if one has been assigned."""
        return self.mentors[-1].person_id if self.mentors else None

    @property
    def is_final(self) -> bool:
        """Whether the plan has graduated, been closed, or ended by withdrawn consent."""
        return self.state in PlanState.FINISHED

    @property
    def may_publish_name(self) -> bool:
        """Whether notices may show the beneficiary's name: separate consent to publish is on
        record, and consent has not been withdrawn."""
        return self.publish_consent is not None and self.consent_withdrawal is None

    def allowed_actions(self) -> tuple[str, ...]:
        """The commands the plan allows now: those its state allows, less
        ``withdraw_publish_consent`` while no consent to publish is on record."""
        if self.consent_withdrawal is not None:
            return ()
        resume = RESUME + self.suspensions[-1].resume_to if self.suspensions else ""
        names: list[str] = []
        for action in self.template.workflow.allowed(self.state):
            if action == "withdraw_publish_consent" and self.publish_consent is None:
                continue
            if action.startswith(SETBACK):
                action = "record_setback"
            elif action.startswith(RESUME):
                if action != resume:
                    continue
                action = "resume"
            if action not in names:
                names.append(action)
        return tuple(names)

    def unmet_goals(self) -> tuple[str, ...]:
        """The keys of the current stage's goals not met by their latest observation since the
        stage was (last) entered; a goal never observed is unmet."""
        stage = self.state
        if not self.template.is_stage(stage):
            return ()
        since = self.stage_entered_at
        latest: dict[str, int] = {}
        for observation in self.observations:
            if observation.stage == stage and since is not None and observation.at >= since:
                latest[observation.goal] = observation.value
        return tuple(
            goal.key
            for goal in self._stage_plan(stage).goals
            if goal.key not in latest or not goal.met_by(latest[goal.key])
        )

    def describe(self) -> Description:
        """The plan's summary: its state, its de-identified title, and the next review."""
        due_on = self.review_due_on
        if due_on is not None:
            due_at = datetime.combine(due_on, time(), tzinfo=zone(self.timezone))
            return Description(self.state, self.title, due_at, "stage review")
        if self.state == PlanState.EVALUATION and self.stage_entered_at is not None:
            return Description(self.state, self.title, self.stage_entered_at, "final review")
        return Description(self.state, self.title)

    def disclosure(self, community: Community) -> Disclosure:
        """What notices may show of the beneficiary: their name only with separate consent to
        publish on record and consent not withdrawn; never a sensitive detail.

        Use it for other notices about the plan too, such as those of the matter that adopted
        it: ``plan.disclosure(community).render_text(matter.resolution)``.

        Raises:
            WrongCommunity: ``community`` is not the plan's.
            UnknownReference: the beneficiary is not in the community's register.
        """
        self._require_community(community)
        return Disclosure(
            name=community.person(self.beneficiary_id).name,
            sensitive=[detail.text for detail in self.sensitive],
            may_name=self.may_publish_name,
            alias=self.alias,
        )

    def notices(self, community: Community) -> tuple[Notice, ...]:
        """Every notice posted about the plan, oldest first, redacted as :meth:`disclosure`
        says at the time of the call: a notice posted with consent to publish shows the
        name de-identified once that consent, or consent to the plan, is withdrawn.

        Raises:
            WrongCommunity: ``community`` is not the plan's.
        """
        return plan_notices(self, self.disclosure(community))

    # --- commands: intake, design, adoption ------------------------------------------------

    @classmethod
    def intake(
        cls,
        plan_id: str,
        *,
        community: Community,
        template: PlanTemplate,
        beneficiary: str,
        referred_by: str,
        team: Iterable[TeamMember],
        consent: Consent,
        at: datetime,
        sensitive: Iterable[SensitiveDetail] = (),
        publish_consent: Consent | None = None,
    ) -> Decision[AssistancePlan]:
        """Take a person in: open their case on ``template``.

        Args:
            plan_id: the plan's id (not derived from the person's name: ids are not redacted).
            community: the community the person and the case team belong to.
            template: the stages the plan will run.
            beneficiary: the person the plan is for.
            referred_by: who referred them (a person, a household visit, a partner unit).
            team: the case team (branch secretary, resident representatives, volunteers); at
                least two people, who sign its reviews.
            consent: consent to the plan: the beneficiary's own, or a guardian's (declared in
                ``community`` with :meth:`~communitygov.Community.declare_guardian`), given by
                the day of ``at``.
            at: when.
            sensitive: health and disability details, held as sensitive data.
            publish_consent: separate consent to publish the name, if given.

        Raises:
            EmptyField: the id or referral is empty, a consent names nobody, or a sensitive
                detail is empty.
            UnknownReference: the beneficiary or someone on the team is not in the register.
            SamePerson: the beneficiary is on their own case team.
            DuplicateId: someone is on the team twice.
            CaseTeamTooSmall: the team has fewer than two people.
            InvalidConsent: a consent was given by someone else than the beneficiary or a
                guardian of theirs declared in ``community``, or dated after the day of
                ``at``.
            NaiveDatetime: ``at`` has no timezone.
        """
        require_kept(at)
        require_id(plan_id, "plan id")
        require_instance(community, Community, "community")
        require_instance(template, PlanTemplate, "template")
        require_text(referred_by, "referred by")
        person = community.person(beneficiary, by=at)
        members = check_team(team, beneficiary_id=beneficiary, community=community, at=at)
        day = local_date(at, community.timezone)
        check_consent(consent, "consent", beneficiary=beneficiary, community=community, day=day)
        if publish_consent is not None:
            check_consent(
                publish_consent,
                "consent to publish",
                beneficiary=beneficiary,
                community=community,
                day=day,
            )
        details = require_items(sensitive, SensitiveDetail, "sensitive")
        for detail in details:
            require_text(detail.text, "sensitive detail")
        event = CaseOpened(
            at=at,
            plan_id=plan_id,
            community_id=community.id,
            timezone=community.timezone,
            template=template.name,
            template_zh=template.zh,
            template_en=template.en,
            stages=template.stages,
            beneficiary_id=beneficiary,
            alias=deidentify(person.name),
            referred_by=referred_by,
            team=members,
            consent=consent,
            publish_consent=publish_consent,
            sensitive=details,
        )
        return started(cls, event, template), (event,)

    def assess(
        self, needs: Iterable[str], stages: Iterable[StagePlan], *, at: datetime
    ) -> Decision[AssistancePlan]:
        """Record the assessment (the needs found) and the design of every stage; again, to
        revise the design before adoption.

        Each stage sets out measurable goals, the activities planned and a review date; the
        dates come after today, one stage after another.

        Raises:
            EmptyField: no needs, an empty need or planned activity, a stage without goals or
                a goal without its key, text or indicator.
            StagesMismatch: the design does not set out the template's stages in order.
            DuplicateId: two goals of a stage share a key.
            InvalidCount: a goal's target is not a whole number of 0 or more.
            ReviewDateTooEarly: a review date is not after today or after the stage before.
        """
        at = self._begin("assess", at)
        found = require_text_list(needs, "needs")
        if not found:
            raise EmptyField("needs")
        design = require_items(stages, StagePlan, "stages")
        keys = tuple(plan.stage for plan in design)
        if keys != self.template.keys:
            raise StagesMismatch(self.template.keys, keys)
        after = local_date(at, self.timezone)
        for plan in design:
            check_goals(plan.goals, plan.stage)
            for activity in plan.activities:
                require_text(activity, f"planned activity of stage {plan.stage}")
            after = check_review_date(plan.stage, plan.review_on, after)
        return self._record(PlanAssessed(at=at, needs=found, stages=design))

    def adopt(self, matter: Matter, *, at: datetime) -> Decision[AssistancePlan]:
        """Put the plan into effect through the matter that resolved to adopt it; the first
        stage starts.

        Raises:
            WrongCommunity: the matter belongs to another community.
            MatterConcernsAnother: the matter was raised about something else than this
                plan (``raise_matter(…, concerns=plan id)``).
            MatterNotAdopted: the matter has not resolved to adopt (or was rejected,
                withdrawn, or sent back by an upheld objection).
            PeriodNotElapsed: the matter's resolution notice is still up.
            ObjectionsPending: an objection to the resolution awaits a ruling.
            DesignAfterDecision: the design was revised in substance (:meth:`assess`: needs,
                goals or activities) after the matter's deciding meeting: the matter did not
                decide it. Moving review dates alone is not a revision.
            ReviewDateTooEarly: the first stage's review date is not after the day of
                adoption: the stage would start with its review overdue (assess the design
                again with later review dates, which the matter need not decide again).
        """
        at = self._begin("adopt", at)
        require_instance(matter, Matter, "matter")
        check_adopting_matter(
            matter,
            plan_id=self.id,
            community_id=self.community_id,
            at=at,
            designed_at=self.designed_at,
        )
        first = self.stages[0]
        check_review_date(first.stage, first.review_on, local_date(at, self.timezone))
        return self._record(PlanAdopted(at=at, matter_id=matter.id))

    # --- commands: the people ----------------------------------------------------------------

    def assign_mentor(
        self, person_id: str, *, start: date, community: Community, at: datetime, reason: str = ""
    ) -> Decision[AssistancePlan]:
        """Name the mentor (临时妈妈) from ``start``; a later assignment replaces them.

        Raises:
            WrongCommunity: ``community`` is not the plan's.
            UnknownReference: the person is not in the register.
            SamePerson: the mentor would be the beneficiary.
            DuplicateId: the person is the mentor already.
        """
        at = self._begin("assign_mentor", at)
        require_date(start, "start")
        require_text(reason, "reason", blank=True)
        self._require_community(community)
        community.person(person_id, by=at)
        if person_id == self.beneficiary_id:
            raise SamePerson(person_id, "beneficiary", "mentor")
        if person_id == self.mentor:
            raise DuplicateId("mentor", person_id)
        return self._record(MentorAssigned(at=at, person_id=person_id, start=start, reason=reason))

    def join_team(
        self, member: TeamMember, *, community: Community, at: datetime
    ) -> Decision[AssistancePlan]:
        """Add someone to the case team.

        Raises:
            WrongCommunity: ``community`` is not the plan's.
            UnknownReference: the person is not in the register.
            NotYetRegistered: they were registered after ``at``.
            SamePerson: the person is the beneficiary.
            DuplicateId: the person is on the team already.
        """
        at = self._begin("join_team", at)
        require_instance(member, TeamMember, "member")
        self._require_community(community)
        person = member.person_id
        check_joining(
            person, self.team, beneficiary_id=self.beneficiary_id, community=community, at=at
        )
        return self._record(TeamMemberJoined(at=at, person_id=person, role=member.role))

    def leave_team(
        self, person_id: str, *, at: datetime, reason: str = ""
    ) -> Decision[AssistancePlan]:
        """Take someone off the case team.

        Raises:
            WrongType: the person's id is not text.
            NotOnCaseTeam: the person is not on it.
            CaseTeamTooSmall: fewer than two people would be left.
        """
        at = self._begin("leave_team", at)
        require_text(reason, "reason", blank=True)
        check_leaving(person_id, self.team, plan_id=self.id)
        return self._record(TeamMemberLeft(at=at, person_id=person_id, reason=reason))

    # --- commands: intervention ---------------------------------------------------------------

    def log_activity(self, activity: Activity, *, at: datetime) -> Decision[AssistancePlan]:
        """Log an activity of the current stage, done on ``activity.on``.

        Raises:
            EmptyField: no text of what was done, or of who did it.
            InvalidCount: the minutes are not a whole number of 0 or more.
            ActivityInFuture: it is dated after today.
            ActivityBeforeAdoption: it is dated before the plan took effect.
            ActivityDuringSuspension: it is dated on a day the plan was suspended.
        """
        at = self._begin("log_activity", at)
        require_instance(activity, Activity, "activity")
        require_text(activity.what, "activity")
        require_text(activity.by, "activity done by")
        require_text(activity.notes, "activity notes", blank=True)
        _count(activity.minutes, "minutes")
        on, today = activity.on, local_date(at, self.timezone)
        if on > today:
            raise ActivityInFuture(on, today)
        adopted_on = self.adopted_on
        assert adopted_on is not None  # a stage runs only once the plan is adopted
        if on < adopted_on:
            raise ActivityBeforeAdoption(on, adopted_on)
        for suspension in self.suspensions:
            if suspension.covers(on):
                assert suspension.until is not None  # the plan is not suspended now
                raise ActivityDuringSuspension(on, suspension.since, suspension.until)
        return self._record(
            ActivityLogged(
                at=at,
                stage=self.state,
                on=on,
                by=activity.by,
                what=activity.what,
                minutes=activity.minutes,
                notes=activity.notes,
            )
        )

    def record_observation(
        self, goal: str, value: int, *, by: str, at: datetime, note: str = ""
    ) -> Decision[AssistancePlan]:
        """Record an observed value of one of the current stage's goal indicators.

        Raises:
            UnknownReference: the current stage has no goal of that key.
            InvalidCount: the value is not a whole number of 0 or more.
            EmptyField: nobody is named as the observer.
        """
        at = self._begin("record_observation", at)
        if self._stage_plan(self.state).goal(goal) is None:
            raise UnknownReference("goal", goal)
        _count(value, "observed value")
        require_text(by, "observed by")
        require_text(note, "note", blank=True)
        return self._record(
            ObservationRecorded(at=at, stage=self.state, goal=goal, value=value, by=by, note=note)
        )

    # --- commands: stage reviews ---------------------------------------------------------------

    def pass_stage(
        self,
        stage: str,
        *,
        reviewers: Iterable[str],
        at: datetime,
        notes: str = "",
        unmet_reason: str = "",
        next_review_on: date | None = None,
    ) -> Decision[AssistancePlan]:
        """Review the current stage and pass it: the next stage starts (after the last, the
        final evaluation).

        Args:
            stage: the stage reviewed (the current one).
            reviewers: the members of the case team who sign the review (two or more).
            at: when; on or after the stage's review date.
            notes: the review's notes.
            unmet_reason: why the stage passes although goals are unmet; required then, and
                refused when every goal is met (a blank one is no reason).
            next_review_on: the next stage's review date, if not the one designed (it must be
                after today; required when the designed one is not); refused when the last
                stage passes, as the final evaluation has no review date.

        Raises:
            UnknownReference, StageSkipped, NotCurrentStage: ``stage`` is not the current one.
            TooFewReviewers, NotOnCaseTeam: the review is not signed by two of the team.
            ReviewNotDue: it is before the review date.
            GoalsUnmet: goals are unmet and no reason is recorded.
            NotApplicable: a reason for unmet goals is given when every goal is met, or a
                next review date when the last stage passes.
            ReviewDateTooEarly: the next stage's review date is not after today.
            ReviewDateTooLate: it is after the last day a review may be set for.
        """
        at, signed, today = self._review("pass_stage", stage, reviewers, at)
        require_text(notes, "notes", blank=True)
        require_text(unmet_reason, "unmet reason", blank=True)
        if next_review_on is not None:
            require_date(next_review_on, "next review date")
        unmet = self.unmet_goals()
        if unmet and not shows_something(unmet_reason):
            raise GoalsUnmet(stage, unmet)
        if shows_something(unmet_reason) and not unmet:
            raise NotApplicable(
                "unmet reason", unmet_reason, f"every goal of stage {stage!r} is met"
            )
        to_stage, review_on = self._next_stage(stage, next_review_on, today)
        return self._record(
            StageReviewed(
                at=at,
                stage=stage,
                outcome=ReviewOutcome.PASSED,
                reviewers=signed,
                notes=notes,
                to_stage=to_stage,
                review_on=review_on,
                unmet_goals=unmet,
                unmet_reason=unmet_reason if unmet else "",
            )
        )

    def extend_stage(
        self,
        stage: str,
        *,
        review_on: date,
        reason: str,
        reviewers: Iterable[str],
        at: datetime,
    ) -> Decision[AssistancePlan]:
        """Review the current stage and extend it to a new review date.

        Raises:
            UnknownReference, StageSkipped, NotCurrentStage: ``stage`` is not the current one.
            TooFewReviewers, NotOnCaseTeam: the review is not signed by two of the team.
            ReviewNotDue: it is before the review date.
            EmptyField: no reason.
            ReviewDateTooEarly: the new review date is not after today.
        """
        at, signed, today = self._review("extend_stage", stage, reviewers, at)
        require_text(reason, "reason")
        check_review_date(stage, review_on, today)
        return self._record(
            StageReviewed(
                at=at,
                stage=stage,
                outcome=ReviewOutcome.EXTENDED,
                reviewers=signed,
                notes=reason,
                to_stage=stage,
                review_on=review_on,
            )
        )

    def record_setback(
        self,
        stage: str,
        *,
        to: str,
        review_on: date,
        reason: str,
        reviewers: Iterable[str],
        at: datetime,
    ) -> Decision[AssistancePlan]:
        """Review the current stage and record a setback: the plan goes back to the earlier
        stage ``to``, to be reviewed again on ``review_on``.

        Raises:
            TransitionNotAllowed: the plan is in its first stage (or not in a stage).
            UnknownReference, StageSkipped, NotCurrentStage: ``stage`` is not the current one,
                or ``to`` is no stage.
            TooFewReviewers, NotOnCaseTeam: the review is not signed by two of the team.
            ReviewNotDue: it is before the review date.
            EmptyField: no reason.
            SetbackNotEarlier: ``to`` is not before the current stage.
            ReviewDateTooEarly: the new review date is not after today.
        """
        at, signed, today = self._review("record_setback", stage, reviewers, at)
        require_text(reason, "reason")
        check_setback(self.template, to, stage)
        check_review_date(to, review_on, today)
        return self._record(
            StageReviewed(
                at=at,
                stage=stage,
                outcome=ReviewOutcome.SETBACK,
                reviewers=signed,
                notes=reason,
                to_stage=to,
                review_on=review_on,
            )
        )

    def suspend(self, reason: str, *, at: datetime) -> Decision[AssistancePlan]:
        """Suspend the running stage (a hospital stay, say).

        Raises:
            EmptyField: no reason.
        """
        at = self._begin("suspend", at)
        return self._record(PlanSuspended(at=at, reason=require_text(reason, "reason")))

    def resume(self, reason: str, *, at: datetime) -> Decision[AssistancePlan]:
        """Resume the stage the plan was suspended in; its review date and every later one
        move by the days it was suspended.

        Raises:
            EmptyField: no reason.
            ReviewDateTooLate: a review date would move past the last day one may be set for.
        """
        at = self._begin("resume", at)
        require_text(reason, "reason")
        resumed = self.suspensions[-1]
        shift = (local_date(at, self.timezone) - resumed.since).days
        first = self.template.position(resumed.resume_to)
        for design in self.stages[first:]:
            try:
                moved = design.review_on + timedelta(days=shift)
            except OverflowError:  # past the last day Python holds
                moved = date.max
            if moved > LATEST_REVIEW_DAY:
                raise ReviewDateTooLate(design.stage, moved, LATEST_REVIEW_DAY)
        return self._record(PlanResumed(at=at, reason=reason, shift_days=shift))

    # --- commands: closure ------------------------------------------------------------------

    def graduate(
        self, summary: str, *, reviewers: Iterable[str], at: datetime
    ) -> Decision[AssistancePlan]:
        """The final review after the last stage: the beneficiary graduates.

        Raises:
            TooFewReviewers, NotOnCaseTeam: the review is not signed by two of the team.
            EmptyField: no summary.
        """
        at = self._begin("graduate", at)
        signed = check_reviewers(reviewers, self.team, self.id)
        return self._record(
            PlanGraduated(at=at, summary=require_text(summary, "summary"), reviewers=signed)
        )

    def close(
        self, reason: str, *, reviewers: Iterable[str], at: datetime
    ) -> Decision[AssistancePlan]:
        """Close the plan for a stated reason other than graduation (the person moved away).

        Raises:
            TooFewReviewers, NotOnCaseTeam: the decision is not signed by two of the team.
            EmptyField: no reason.
        """
        at = self._begin("close", at)
        signed = check_reviewers(reviewers, self.team, self.id)
        return self._record(
            PlanClosed(at=at, reason=require_text(reason, "reason"), reviewers=signed)
        )

    # --- commands: consent and notices ------------------------------------------------------

    def withdraw_consent(self, *, at: datetime, note: str = "") -> Decision[AssistancePlan]:
        """Record that the beneficiary withdrew consent (个人信息保护法 Art. 15).

        The plan stops for good: every later command raises ``ConsentAlreadyWithdrawn``, and
        every notice shows the beneficiary de-identified, whatever consent to publish was given.
        """
        at = self._begin("withdraw_consent", at)
        return self._record(ConsentWithdrawn(at=at, note=require_text(note, "note", blank=True)))

    def record_sensitive(
        self, detail: SensitiveDetail, *, at: datetime
    ) -> Decision[AssistancePlan]:
        """Hold a health or disability detail learned after intake as sensitive data
        (个人信息保护法 Art. 28): from then on, no notice about the plan shows it (nor the
        fund's statements, nor the notice board, which redact through the plan's
        :meth:`disclosure`).

        Raises:
            WrongType: ``detail`` is not a :class:`SensitiveDetail`.
            EmptyField: its text is empty.
            NotApplicable: the plan holds that detail already.
            ConsentAlreadyWithdrawn: consent was withdrawn: nothing more is recorded.
        """
        at = self._begin("record_sensitive", at)
        require_instance(detail, SensitiveDetail, "detail")
        require_text(detail.text, "sensitive detail")
        if detail in self.sensitive:
            raise NotApplicable("detail", detail.text, "the plan holds it already")
        return self._record(SensitiveDetailRecorded(at=at, detail=detail))

    def give_publish_consent(
        self, consent: Consent, *, at: datetime, community: Community | None = None
    ) -> Decision[AssistancePlan]:
        """Record separate consent to publish the beneficiary's name (个人信息保护法 Art. 25).

        Args:
            consent: the beneficiary's, or a guardian's.
            at: when it is recorded.
            community: the plan's community, where a guardian of the beneficiary is
                declared; needed only for a guardian's consent.

        Raises:
            EmptyField: the consent names nobody.
            InvalidConsent: it was given by someone else than the beneficiary or a guardian
                of theirs declared in ``community``, dated after ``at``'s day, or
                dated on or before the day consent to publish was last withdrawn.
            WrongCommunity: ``community`` is another community than the plan's.
        """
        at = self._begin("give_publish_consent", at)
        if community is not None:
            self._require_community(community)
        checked = check_consent(
            consent,
            "consent to publish",
            beneficiary=self.beneficiary_id,
            community=community,
            day=local_date(at, self.opened.timezone),
        )
        withdrawn = self.publish_consent_withdrawn
        if withdrawn is not None:
            day = local_date(withdrawn.at, self.opened.timezone)
            if checked.on <= day:
                raise InvalidConsent(
                    "consent to publish",
                    checked.given_by,
                    checked.on,
                    self.beneficiary_id,
                    f"consent to publish was withdrawn on {day.isoformat()}, and a consent "
                    "given on or before that day is one of those withdrawn: a new consent is "
                    "dated after it",
                )
        return self._record(PublishConsentGiven(at=at, consent=checked))

    def withdraw_publish_consent(self, *, at: datetime, note: str = "") -> Decision[AssistancePlan]:
        """Record that consent to publish the name was withdrawn; notices show the alias again.

        Raises:
            NoPublishConsent: no consent to publish is on record (never given, or withdrawn
                already); :meth:`allowed_actions` leaves the command out then.
        """
        at = self._begin("withdraw_publish_consent", at)
        require_text(note, "note", blank=True)
        return self._record(PublishConsentWithdrawn(at=at, note=note))

    def post_notice(
        self,
        kind: PlanNoticeKind,
        text: str,
        *,
        place: str,
        at: datetime,
        amount_fen: int | None = None,
    ) -> Decision[AssistancePlan]:
        """Post a notice about the plan: its adoption, its results, or the income it raised.

        The text is kept as written; :meth:`notices` renders it de-identified.

        Raises:
            EmptyField: the text or place is empty.
            InvalidCount: an amount that is not a whole number of fen, 0 or more, or an income
                notice without one.
            InvalidAmount: an amount above :data:`~communitygov.MAX_FEN` (10**30 fen).
        """
        at = self._begin("post_notice", at)
        require_instance(kind, PlanNoticeKind, "kind")
        require_text(text, "notice text")
        require_text(place, "notice place")
        if amount_fen is None and kind is PlanNoticeKind.INCOME:
            raise InvalidCount("amount in fen", amount_fen)
        if amount_fen is not None:
            require_fen(amount_fen, "amount in fen")
        return self._record(
            PlanNoticePosted(at=at, kind=kind, text=text, place=place, amount_fen=amount_fen)
        )

    # --- helpers ----------------------------------------------------------------------------

    def _begin(self, command: str, at: datetime) -> datetime:
        """Check the time, that consent stands, and that ``command`` is allowed now."""
        at = self._checked_time(at)
        withdrawal = self.consent_withdrawal
        if withdrawal is not None:
            raise ConsentAlreadyWithdrawn(self.id, withdrawal.at, command)
        allowed = self.allowed_actions()
        if command not in allowed:
            if command == "withdraw_publish_consent" and self.publish_consent is None:
                raise NoPublishConsent(self.id)  # nothing to take back
            raise TransitionNotAllowed(command, self.state, allowed)
        return at

    def _review(
        self, command: str, stage: str, reviewers: Iterable[str], at: datetime
    ) -> tuple[datetime, frozenset[str], date]:
        """The checks every stage review shares; the time, the reviewers and today."""
        at = self._begin(command, at)
        check_stage(self.template, stage, self.state)
        signed = check_reviewers(reviewers, self.team, self.id)
        today = local_date(at, self.timezone)
        check_due(stage, self._stage_plan(stage).review_on, today)
        return at, signed, today

    def _next_stage(
        self, stage: str, next_review_on: date | None, today: date
    ) -> tuple[str | None, date | None]:
        """The stage passing ``stage`` leads to and its review date: ``next_review_on`` if
        given, else the one designed; neither after the last stage.

        Raises:
            NotApplicable: ``next_review_on`` is given when ``stage`` is the last.
            ReviewDateTooEarly, ReviewDateTooLate: the review date is not after today, or too
                late.
        """
        position = self.template.position(stage) + 1
        if position == len(self.stages):
            if next_review_on is not None:
                raise NotApplicable(
                    "next review date",
                    next_review_on,
                    f"{stage!r} is the last stage; the final evaluation that follows has no "
                    "review date",
                )
            return None, None
        to_stage = self.template.keys[position]
        review_on = self.stages[position].review_on if next_review_on is None else next_review_on
        return to_stage, check_review_date(to_stage, review_on, today)

    def _stage_plan(self, stage: str) -> StagePlan:
        return self.stages[self.template.position(stage)]

    def _require_community(self, community: Community) -> None:
        require_instance(community, Community, "community")
        if community.id != self.community_id:
            raise WrongCommunity(self.community_id, community.id)

    # --- the fold (communitygov.assistance.fold) -------------------------------------------

    @classmethod
    def _start(cls, event: Event, context: Any) -> AssistancePlan:
        assert isinstance(event, CaseOpened)
        return started(cls, event)

    def _changes(self, event: Event) -> dict[str, Any]:
        return changes(self, event)
