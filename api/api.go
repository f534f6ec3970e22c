// Package api is the Daestro client API as data: the Job Submit body, the
// Job Detail answer, job states and the answer envelope, with the JSON names
// the API documents (see docs/api.md). It holds no HTTP code:
// the client (package apiclient), the emulator, the planner and the output all
// speak it, so a field renamed here is renamed for every one of them.
package api

import (
	"bytes"
	"encoding/json"
)

// Body is the Job Submit request body (POST /v1/client/job). Field order
// follows the API's table. It is the wire form only: a manifest is decoded
// into plan.Body, which derives this (a field added here and not there fails
// plan's TestBodyFieldsHandledEverywhere).
type Body struct {
	JobDefinition         string            `json:"job_definition"`
	JobQueue              string            `json:"job_queue"`
	Name                  string            `json:"name,omitempty"`
	ContainerCmd          []string          `json:"container_cmd,omitempty"`
	ContainerCmdParameter map[string]string `json:"container_cmd_parameter,omitempty"`
	ContainerEnv          map[string]EnvVar `json:"container_env,omitempty"`
	ScheduleAt            string            `json:"schedule_at,omitempty"`
}

// EnvVar is one container_env entry in the API's object form.
type EnvVar struct {
	Value     string `json:"value"`
	Sensitive bool   `json:"sensitive,omitempty"`
}

// State is a job's state in Job Detail.
type State string

// The states of the API documentation, in the order a job passes through
// them; the last five are terminal.
const (
	Submitted  State = "submitted"
	Pending    State = "pending"
	Runnable   State = "runnable"
	Starting   State = "starting"
	Running    State = "running"
	Cancelling State = "cancelling"
	Cancelled  State = "cancelled"
	Timeout    State = "timeout"
	Completed  State = "completed"
	Failed     State = "failed"
	Error      State = "error"
)

// Terminal reports whether the job will not change again.
func (s State) Terminal() bool {
	switch s {
	case Completed, Failed, Error, Cancelled, Timeout:
		return true
	}
	return false
}

// Detail is the data of a Job Detail answer (GET /v1/client/job/{id}).
// Nullable fields are pointers, so they encode as null as the API sends them.
type Detail struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	State      State   `json:"state"`
	SystemNote *string `json:"system_note"`
	ScheduleAt *string `json:"schedule_at"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  *string `json:"updated_at"`
}

// Map returns a copy of d with f applied to every string it holds (a nil
// one stays nil): the display form of an answer, masked or escaped.
func (d Detail) Map(f func(string) string) Detail {
	ptr := func(s *string) *string {
		if s == nil {
			return nil
		}
		v := f(*s)
		return &v
	}
	return Detail{
		ID:         f(d.ID),
		Name:       f(d.Name),
		State:      State(f(string(d.State))),
		SystemNote: ptr(d.SystemNote),
		ScheduleAt: ptr(d.ScheduleAt),
		CreatedAt:  f(d.CreatedAt),
		UpdatedAt:  ptr(d.UpdatedAt),
	}
}

// UnmarshalJSON reads a Detail, taking schedule_at as a string or, since
// Job Submit accepts unix seconds, as a number kept as the digits written.
func (d *Detail) UnmarshalJSON(b []byte) error {
	type plain Detail // without this method
	var v struct {
		plain
		ScheduleAt json.RawMessage `json:"schedule_at"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*d = Detail(v.plain)
	d.ScheduleAt = nil
	if raw := bytes.TrimSpace(v.ScheduleAt); len(raw) > 0 && string(raw) != "null" {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			s = string(raw)
		}
		d.ScheduleAt = &s
	}
	return nil
}

// Created is the data of an accepted Job Submit answer (HTTP 202).
type Created struct {
	ID string `json:"id"`
}

// Envelope is the shape of every answer: {"ok": true, "data": …} or
// {"ok": false, "message": …}.
type Envelope[T any] struct {
	OK      bool   `json:"ok"`
	Message string `json:"message,omitempty"`
	Data    *T     `json:"data,omitempty"`
}
